-- The suggested IDs a dataset's published mismatches carry, with the method that found each
-- (ADBC). Inputs: $1 sector, $2 dataset (text).
SELECT mismatches.source_key, mismatches.suggested_national_id AS national_id,
    mismatches.details -> 'suggestion' ->> 'method' AS method
FROM sync.mismatches AS mismatches
WHERE mismatches.sector = $1 AND mismatches.dataset = $2 AND mismatches.suggested_national_id IS NOT NULL
