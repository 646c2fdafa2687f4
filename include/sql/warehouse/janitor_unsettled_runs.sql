-- Runs whose fate the janitor asks the orchestrator about: other runs of the scope that own
-- registered result tables, neither published nor attached, still within the grace period
-- (older ones go anyway). The orchestrator answers which of them are dead.
-- Inputs: staging.run_tables, sync.published_runs, pg_inherits.
-- Parameters: %(sector)s, %(dataset)s (NULL = every one), %(older_than)s (timestamptz),
--             %(run_id)s (the running run, left out; NULL when none).
WITH registered AS (
    SELECT schema_name, table_name, sector, dataset, run_id, registered_at
    FROM staging.run_tables
    WHERE (%(sector)s::text IS NULL OR sector = %(sector)s::text)
      AND (%(dataset)s::text IS NULL OR dataset = %(dataset)s::text)
      AND run_id IS DISTINCT FROM %(run_id)s::text
      AND registered_at >= %(older_than)s
),

published AS (
    SELECT matches_table AS table_name FROM sync.published_runs
    UNION
    SELECT mismatches_table AS table_name FROM sync.published_runs
    UNION
    SELECT candidates_table AS table_name FROM sync.published_runs WHERE candidates_table IS NOT NULL
),

attached AS (
    SELECT child_schema.nspname AS schema_name, child.relname AS table_name
    FROM pg_catalog.pg_inherits AS inheritance
    JOIN pg_catalog.pg_class AS child ON child.oid = inheritance.inhrelid
    JOIN pg_catalog.pg_namespace AS child_schema ON child_schema.oid = child.relnamespace
),

unsettled AS (
    SELECT DISTINCT registered.sector, registered.dataset, registered.run_id
    FROM registered
    WHERE NOT EXISTS (
            SELECT 1 FROM published
            WHERE registered.schema_name = 'sync_partitions' AND published.table_name = registered.table_name
        )
      AND NOT EXISTS (
            SELECT 1 FROM attached
            WHERE attached.schema_name = registered.schema_name AND attached.table_name = registered.table_name
        )
)

SELECT sector, dataset, run_id
FROM unsettled
ORDER BY sector, dataset, run_id
