-- Record accounting and sync rates of one dataset: results vs ground truth (DuckDB).
WITH pairs AS (
    SELECT
        expected.source_key IS NOT NULL AS in_truth,
        actual.source_key IS NOT NULL AS in_results,
        len(coalesce(expected.expected_reasons, [])) = 0 AS truly_matched,
        len(coalesce(actual.reasons, [])) = 0 AS found_matched,
        coalesce(list_sort(expected.expected_reasons), []) = coalesce(list_sort(actual.reasons), []) AS same_reasons
    FROM expected
    FULL OUTER JOIN actual ON actual.source_key = expected.source_key
)

SELECT
    count(*) FILTER (WHERE in_truth) AS truth_records,
    count(*) FILTER (WHERE in_results) AS result_records,
    count(*) FILTER (WHERE in_truth AND NOT in_results) AS missing,
    count(*) FILTER (WHERE in_results AND NOT in_truth) AS extra,
    count(*) FILTER (WHERE in_truth AND in_results AND NOT same_reasons) AS wrong_reasons,
    count(*) FILTER (WHERE in_results AND found_matched)::DOUBLE / nullif(count(*) FILTER (WHERE in_results), 0) AS sync_rate_computed,
    count(*) FILTER (WHERE in_truth AND truly_matched)::DOUBLE / nullif(count(*) FILTER (WHERE in_truth), 0) AS sync_rate_true
FROM pairs
