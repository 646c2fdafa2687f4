-- Forget one per-run work table (after the janitor dropped it, or found it gone).
-- Inputs: staging.run_tables.
-- Parameters: %(schema_name)s, %(table_name)s.
DELETE FROM staging.run_tables
WHERE schema_name = %(schema_name)s AND table_name = %(table_name)s
