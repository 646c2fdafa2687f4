-- Ground truth (PostgreSQL, a sector database): an ID method's expected suggestion is the record's
-- own person; when another record of the same dataset links to that person, the candidate is not
-- plausible (docs/reconciliation-rules.md, "The single suggested ID"): no single suggestion.
-- The links are the generator's own truth (expected_linked_national_id), not the engine's.
WITH linked AS (
    SELECT DISTINCT dataset, expected_linked_national_id AS national_id
    FROM ground_truth.expected
    WHERE expected_linked_national_id IS NOT NULL
)

UPDATE ground_truth.expected AS expected
SET expected_suggested_national_id = NULL, expected_suggestion_method = NULL
FROM linked
WHERE linked.dataset = expected.dataset
    AND linked.national_id = expected.expected_suggested_national_id
    AND expected.expected_suggestion_method <> 'name_birth_gender'
