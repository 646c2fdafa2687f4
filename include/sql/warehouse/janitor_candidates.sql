-- Work tables the janitor removes: registered, not published, not attached as a partition,
-- and either of a run known to be dead (named by the orchestrator), or older than the grace
-- period (any run but the running one), or an earlier reconcile attempt of the running run
-- (whose result tables nothing will ever publish).
-- Inputs: staging.unsettled_run_tables (warehouse/unsettled_run_tables.sql).
-- Parameters: %(sector)s, %(dataset)s (NULL = every one), %(older_than)s (timestamptz),
--             %(run_id)s, %(attempt)s (the running run and its reconcile attempt; NULL / '' when none),
--             %(dead_sectors)s, %(dead_datasets)s, %(dead_run_ids)s (text[], one element per
--             dead run, in step; empty when none is known), %(dead_asked_at)s (timestamptz: when
--             the orchestrator was asked; a table registered later is not the dead run's leftover).
WITH registered AS (
    SELECT schema_name, table_name, sector, dataset, run_id, attempt, kind, registered_at
    FROM staging.unsettled_run_tables
    WHERE (%(sector)s::text IS NULL OR sector = %(sector)s::text)
      AND (%(dataset)s::text IS NULL OR dataset = %(dataset)s::text)
),

dead AS (
    SELECT sector, dataset, run_id
    FROM unnest(%(dead_sectors)s::text[], %(dead_datasets)s::text[], %(dead_run_ids)s::text[])
        AS named (sector, dataset, run_id)
),

eligible AS (
    SELECT registered.*
    FROM registered
    WHERE (
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
