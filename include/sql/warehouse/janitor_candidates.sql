-- Work tables the janitor removes: registered, not published, not attached as a partition,
-- and either of a run known to be dead (named by the orchestrator), or older than the grace
-- period (any run but the running one), or an earlier reconcile attempt of the running run
-- (whose result tables nothing will ever publish).
-- Inputs: staging.run_tables, sync.published_runs, pg_inherits.
-- Parameters: %(sector)s, %(dataset)s (NULL = every one), %(older_than)s (timestamptz),
--             %(run_id)s, %(attempt)s (the running run and its reconcile attempt; NULL / '' when none),
--             %(dead_sectors)s, %(dead_datasets)s, %(dead_run_ids)s (text[], one element per
--             dead run, in step; empty when none is known), %(dead_asked_at)s (timestamptz: when
--             the orchestrator was asked; a table registered later is not the dead run's leftover).
WITH registered AS (
    SELECT schema_name, table_name, sector, dataset, run_id, attempt, kind, registered_at
    FROM staging.run_tables
    WHERE (%(sector)s::text IS NULL OR sector = %(sector)s::text)
      AND (%(dataset)s::text IS NULL OR dataset = %(dataset)s::text)
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

dead AS (
    SELECT sector, dataset, run_id
    FROM unnest(%(dead_sectors)s::text[], %(dead_datasets)s::text[], %(dead_run_ids)s::text[])
        AS named (sector, dataset, run_id)
),

eligible AS (
    SELECT registered.*
    FROM registered
    WHERE NOT EXISTS (
            SELECT 1 FROM published
            WHERE registered.schema_name = 'sync_partitions' AND published.table_name = registered.table_name
        )
      AND NOT EXISTS (
            SELECT 1 FROM attached
            WHERE attached.schema_name = registered.schema_name AND attached.table_name = registered.table_name
        )
      AND (
            (registered.run_id IS DISTINCT FROM %(run_id)s::text AND registered.registered_at < %(older_than)s)
            OR (
                registered.run_id IS DISTINCT FROM %(run_id)s::text
                AND registered.registered_at < %(dead_asked_at)s::timestamptz
                AND EXISTS (
                    SELECT 1 FROM dead
                    WHERE dead.sector = registered.sector
                      AND dead.dataset = registered.dataset
                      AND dead.run_id = registered.run_id
                )
            )
            OR (
                registered.run_id = %(run_id)s::text
                AND registered.kind IN ('matches', 'mismatches', 'suggestion_candidates')
                AND coalesce(%(attempt)s::text, '') <> ''
                AND registered.attempt <> %(attempt)s::text
            )
      )
)

SELECT
    schema_name,
    table_name,
    to_regclass(quote_ident(schema_name) || '.' || quote_ident(table_name)) IS NOT NULL AS present
FROM eligible
ORDER BY schema_name, table_name
