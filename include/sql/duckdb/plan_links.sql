-- The dataset_links of a whole dataset, computed by the plan step before the split (DuckDB).
-- Inputs: normalised (normalise.sql), legacy_ids (legacy_ids.sql). Output: national_id, records.
-- A record links exactly as in reconcile.sql: a CCCD found in the register, or a CMND that is
-- the former CMND of exactly one register person. Its only reader (suggestions.sql:
-- linked_elsewhere) looks register persons up in it, and a register person's count is the same
-- whether or not the IDs of records that link nowhere are listed beside it: so the register is
-- not read here, and every resolved ID is counted.
WITH resolved AS (
    SELECT
        CASE normalised.id_kind
            WHEN 'cccd' THEN normalised.national_id
            WHEN 'cmnd' THEN legacy_ids.national_id
        END AS candidate_id
    FROM normalised
    LEFT JOIN legacy_ids
        ON normalised.id_kind = 'cmnd' AND legacy_ids.former_cmnd = normalised.national_id
)

SELECT
    candidate_id AS national_id,
    count(*) AS records
FROM resolved
WHERE candidate_id IS NOT NULL
GROUP BY candidate_id
