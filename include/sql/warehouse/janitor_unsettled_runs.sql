-- Runs whose fate the janitor asks the orchestrator about: other runs of the scope that own
-- registered result tables, neither published nor attached, still within the grace period
-- (older ones go anyway). The orchestrator answers which of them are dead.
-- Inputs: staging.unsettled_run_tables (warehouse/unsettled_run_tables.sql).
-- Parameters: %(sector)s, %(dataset)s (NULL = every one), %(older_than)s (timestamptz),
--             %(run_id)s (the running run, left out; NULL when none).
WITH unsettled AS (
    SELECT DISTINCT sector, dataset, run_id
    FROM staging.unsettled_run_tables
    WHERE (%(sector)s::text IS NULL OR sector = %(sector)s::text)
      AND (%(dataset)s::text IS NULL OR dataset = %(dataset)s::text)
      AND run_id IS DISTINCT FROM %(run_id)s::text
      AND registered_at >= %(older_than)s
)

SELECT sector, dataset, run_id
FROM unsettled
ORDER BY sector, dataset, run_id
