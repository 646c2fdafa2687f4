-- The sync rate over records in force that the generator intended, and the one the results give
-- (DuckDB). Inputs: expected_all (ground_truth.expected of one dataset, with expected_active and
-- beyond_rules), actual_all (published results: source_key, reasons).
-- Rates are over the records within the rules (records of a family beyond the rules are scored
-- apart, as for the sync rate); active_total_true counts every record in force.
-- A dataset without is_active has expected_active NULL everywhere: the rates are NULL.
WITH in_force AS (
    SELECT
        len(expected.expected_reasons) = 0 AS truly_matched,
        expected.beyond_rules IS NULL AS within_rules,
        actual.source_key IS NOT NULL AND len(actual.reasons) = 0 AS found_matched
    FROM expected_all AS expected
    LEFT JOIN actual_all AS actual ON actual.source_key = expected.source_key
    WHERE expected.expected_active
)

SELECT
    count(*) AS active_total_true,
    count(*) FILTER (WHERE within_rules AND truly_matched)::DOUBLE
        / nullif(count(*) FILTER (WHERE within_rules), 0) AS active_sync_rate_true,
    count(*) FILTER (WHERE within_rules AND found_matched)::DOUBLE
        / nullif(count(*) FILTER (WHERE within_rules), 0) AS active_sync_rate_computed
FROM in_force
