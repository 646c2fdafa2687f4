-- Registered result tables that no published run points at and that are not attached as a
-- partition: what a run left behind until it publishes, or what the janitor may remove.
-- Shared by janitor_candidates.sql (which of them go) and janitor_unsettled_runs.sql (whose
-- runs' fate the janitor asks about). Inputs: staging.run_tables, sync.published_runs,
-- pg_inherits. Applied after warehouse/suggestions.sql (published_runs.candidates_table).
-- Idempotent.
CREATE OR REPLACE VIEW staging.unsettled_run_tables AS
WITH published AS (
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
)

SELECT
    registered.schema_name,
    registered.table_name,
    registered.sector,
    registered.dataset,
    registered.run_id,
    registered.attempt,
    registered.kind,
    registered.registered_at
FROM staging.run_tables AS registered
WHERE NOT EXISTS (
        SELECT 1 FROM published
        WHERE registered.schema_name = 'sync_partitions' AND published.table_name = registered.table_name
    )
  AND NOT EXISTS (
        SELECT 1 FROM attached
        WHERE attached.schema_name = registered.schema_name AND attached.table_name = registered.table_name
    );
