-- Register persons that differ between the baseline run's register and the current one (DuckDB).
-- Inputs: previous_register (the baseline's copy of the snapshot); `persons_source` is replaced by
--         the current register (snapshot or mirror). Both carry person_hash (macros.sql: one
--         64-bit hash of every column the classification reads; the snapshot stores it, the
--         caller adds it to a relation without it). Output: both versions of every changed
--         person (old row and new row; one of them for a new or removed person), with the
--         columns the closure reads: national_id, former_cmnd, name_key, gender, birth_year.
-- Every column the classification reads is in the hash, national_id (the register's key) too, so
-- a version is one hash: a version of one register that the other does not hold is a person
-- added, removed or changed (a death, a correction, a former CMND given or taken). Comparing the
-- 64-bit hashes alone reads no text column of the 2 x N persons; the rows of the few changed
-- versions are read after (benchmarks/results/register-changes-4m.md).
WITH previous_versions AS (
    SELECT person_hash FROM previous_register
),

current_versions AS (
    SELECT person_hash FROM persons_source
),

changed_versions AS (
    -- one join of the two registers' version hashes: a version in one register only
    SELECT coalesce(previous_versions.person_hash, current_versions.person_hash) AS person_hash
    FROM previous_versions
    FULL JOIN current_versions ON current_versions.person_hash = previous_versions.person_hash
    WHERE previous_versions.person_hash IS NULL OR current_versions.person_hash IS NULL
)

SELECT national_id, former_cmnd, name_key, gender, year(birth_date) AS birth_year
FROM previous_register
WHERE person_hash IN (SELECT person_hash FROM changed_versions)
UNION ALL
SELECT national_id, former_cmnd, name_key, gender, year(birth_date) AS birth_year
FROM persons_source
WHERE person_hash IN (SELECT person_hash FROM changed_versions)
