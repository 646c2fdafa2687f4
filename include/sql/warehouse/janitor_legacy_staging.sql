-- Extract tables that earlier versions staged per run in `staging` (raw and normalised); the
-- pipeline now reads the extract straight into the worker, so every table there but the
-- registry is a leftover of a run that did not finish.
-- Inputs: pg_tables. Parameters: none.
SELECT schemaname AS schema_name, tablename AS table_name
FROM pg_catalog.pg_tables
WHERE schemaname = 'staging' AND tablename <> 'run_tables'
ORDER BY tablename
