-- The planner's estimate of the lifecycle table's rows (-1 before it was ever analysed), to decide
-- whether a run changed enough of it to ANALYZE it now. No parameters.
SELECT relations.reltuples
FROM pg_catalog.pg_class AS relations
WHERE relations.oid = 'sync.mismatch_lifecycle'::regclass;
