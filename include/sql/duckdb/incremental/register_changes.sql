-- Register persons that differ between the baseline run's register and the current one (DuckDB).
-- Inputs: previous_register (the baseline's copy of the snapshot); `persons_source` is replaced by
--         the current register (snapshot or mirror). Both carry person_hash (macros.sql: one
--         64-bit hash of every column the classification reads; the snapshot stores it, the
--         caller adds it to a relation without it). Output: both versions of every changed
--         person (old row and new row; one of them for a new or removed person), with the
--         columns the closure reads: national_id, former_cmnd, name_key, gender, birth_year.
-- Every column the classification reads is in the hash, so a death, a correction, a new or
-- removed person and a former CMND given or taken all count as a change. national_id is the
-- register's key: a person whose hash differs, or who is in one register only, is a change (as
-- EXCEPT on the whole rows, joining two columns of each register).
WITH previous_versions AS (
    SELECT national_id, person_hash FROM previous_register
),

current_versions AS (
    SELECT national_id, person_hash FROM persons_source
),

changed AS (
    -- one join by the register's key: a person added, removed, or with another version hash
    SELECT coalesce(previous_versions.national_id, current_versions.national_id) AS national_id
    FROM previous_versions
    FULL JOIN current_versions ON current_versions.national_id = previous_versions.national_id
    WHERE previous_versions.person_hash IS DISTINCT FROM current_versions.person_hash
)

SELECT national_id, former_cmnd, name_key, gender, year(birth_date) AS birth_year
FROM previous_register
WHERE national_id IN (SELECT national_id FROM changed)
UNION ALL
SELECT national_id, former_cmnd, name_key, gender, year(birth_date) AS birth_year
FROM persons_source
WHERE national_id IN (SELECT national_id FROM changed)
