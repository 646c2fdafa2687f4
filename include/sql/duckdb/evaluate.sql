-- Score one dataset's published results against the generator's ground truth (DuckDB).
-- Inputs: expected(source_key, expected_reasons), actual(source_key, reasons).
WITH pairs AS (
    SELECT
        coalesce(expected.source_key, actual.source_key) AS source_key,
        expected.source_key IS NOT NULL AS in_truth,
        actual.source_key IS NOT NULL AS in_results,
        coalesce(expected.expected_reasons, []) AS expected_reasons,
        coalesce(actual.reasons, []) AS actual_reasons
    FROM expected
    FULL OUTER JOIN actual ON actual.source_key = expected.source_key
),

codes AS (
    SELECT DISTINCT unnest(expected_reasons) AS code FROM pairs
    UNION
    SELECT DISTINCT unnest(actual_reasons) AS code FROM pairs
),

scored AS (
    SELECT
        codes.code,
        count(*) FILTER (WHERE list_contains(expected_reasons, code) AND list_contains(actual_reasons, code)) AS true_positives,
        count(*) FILTER (WHERE NOT list_contains(expected_reasons, code) AND list_contains(actual_reasons, code)) AS false_positives,
        count(*) FILTER (WHERE list_contains(expected_reasons, code) AND NOT list_contains(actual_reasons, code)) AS false_negatives
    FROM codes
    CROSS JOIN pairs
    WHERE pairs.in_truth AND pairs.in_results
    GROUP BY codes.code
)

SELECT
    code,
    true_positives + false_negatives AS expected,
    true_positives + false_positives AS found,
    true_positives::DOUBLE / nullif(true_positives + false_positives, 0) AS precision,
    true_positives::DOUBLE / nullif(true_positives + false_negatives, 0) AS recall
FROM scored
ORDER BY code
