-- Row-level security policies popsync created on the relations of schema `sync`.
-- Inputs: none.
SELECT tablename, policyname
FROM pg_catalog.pg_policies
WHERE schemaname = 'sync' AND policyname LIKE 'popsync\_%'
ORDER BY 1, 2;
