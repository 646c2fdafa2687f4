-- The suggested IDs the ground truth expects, with the method expected to find each (DuckDB).
-- Inputs: expected_all (evaluate/expected.sql).
SELECT expected_all.source_key, expected_all.expected_suggested_national_id AS national_id,
    expected_all.expected_suggestion_method AS method
FROM expected_all
WHERE expected_all.expected_suggestion_method IS NOT NULL
