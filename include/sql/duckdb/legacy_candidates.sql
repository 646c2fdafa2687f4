-- Register persons whose former CMND is one of a dataset's 9-digit IDs (DuckDB; the plan step).
-- `persons_source` is replaced by the register snapshot (or the mirror streamed in).
-- Inputs: normalised (normalise.sql). Output: former_cmnd, national_id (for bucket_keys.sql).
WITH dataset_cmnds AS (
    SELECT national_id FROM normalised WHERE id_kind = 'cmnd'
)

SELECT
    persons.former_cmnd,
    persons.national_id
FROM persons_source AS persons
WHERE persons.former_cmnd IN (SELECT national_id FROM dataset_cmnds)
