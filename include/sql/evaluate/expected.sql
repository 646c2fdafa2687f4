-- Ground truth of one dataset as the evaluation reads it from the sector database (ADBC).
-- Inputs: $1 dataset (text).
SELECT truth.source_key, truth.expected_reasons, truth.expected_suggested_national_id,
    truth.expected_suggestion_method, truth.true_national_id, truth.beyond_rules, truth.expected_active
FROM ground_truth.expected AS truth
WHERE truth.dataset = $1
