-- Unregistered deaths of one death-registration dataset: published vs ground truth (DuckDB).
-- Inputs: expected_unregistered(national_id), actual_unregistered(national_id).
WITH pairs AS (
    SELECT
        expected.national_id IS NOT NULL AS in_truth,
        actual.national_id IS NOT NULL AS in_results
    FROM expected_unregistered AS expected
    FULL OUTER JOIN actual_unregistered AS actual ON actual.national_id = expected.national_id
)

SELECT
    'UNREGISTERED_DEATH' AS code,
    count(*) FILTER (WHERE in_truth) AS expected,
    count(*) FILTER (WHERE in_results) AS found,
    count(*) FILTER (WHERE in_truth AND in_results)::DOUBLE / nullif(count(*) FILTER (WHERE in_results), 0) AS precision,
    count(*) FILTER (WHERE in_truth AND in_results)::DOUBLE / nullif(count(*) FILTER (WHERE in_truth), 0) AS recall
FROM pairs
