-- The persons each dataset's records link to in the generator's truth (ADBC, a sector database).
-- No parameters.
SELECT DISTINCT truth.dataset, truth.expected_linked_national_id AS national_id
FROM ground_truth.expected AS truth
WHERE truth.expected_linked_national_id IS NOT NULL
