-- The sync rate over records in force that the generator intended (DuckDB).
-- Inputs: expected_all (ground_truth.expected of one dataset, with expected_active).
-- A dataset without is_active has expected_active NULL everywhere: the rate is NULL.
WITH in_force AS (
    SELECT len(expected_reasons) = 0 AS truly_matched
    FROM expected_all
    WHERE expected_active
)

SELECT
    count(*) AS active_total_true,
    count(*) FILTER (WHERE truly_matched)::DOUBLE / nullif(count(*), 0) AS active_sync_rate_true
FROM in_force
