-- The suggestion a record is expected to get, settled against the whole register.
-- Inputs (positional, executemany): national_id text or NULL, method text or NULL, dataset, source_key.
UPDATE ground_truth.expected AS truth SET
    expected_suggested_national_id = %s,
    expected_suggestion_method = %s
WHERE truth.dataset = %s AND truth.source_key = %s;
