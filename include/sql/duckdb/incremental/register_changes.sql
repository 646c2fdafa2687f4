-- Register persons that differ between the baseline run's register and the current one (DuckDB).
-- Inputs: previous_register (the baseline's copy of the snapshot); `persons_source` is replaced by
--         the current register (snapshot or mirror). Output: both versions of every changed
--         person (old row and new row; one of them for a new or removed person), with the
--         columns the closure reads: national_id, former_cmnd, name_key, gender, birth_year.
-- Every column the classification reads is compared, so a death, a correction, a new or removed
-- person and a former CMND given or taken all count as a change. national_id is the register's
-- key: each version is reduced to (national_id, 64-bit hash of every compared column), and a
-- version whose pair the other register lacks is a change (as EXCEPT on the whole rows, but
-- without carrying the names through the join).
WITH previous_persons AS (
    SELECT
        national_id, former_cmnd, name_key, gender, birth_date,
        hash(national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender,
            residence_province, is_deceased, date_of_death, name_key) AS person_hash
    FROM previous_register
),

current_persons AS (
    SELECT
        national_id, former_cmnd, name_key, gender, birth_date,
        hash(national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender,
            residence_province, is_deceased, date_of_death, name_key) AS person_hash
    FROM persons_source
),

changed AS (
    SELECT previous_persons.*
    FROM previous_persons
    ANTI JOIN current_persons
        ON current_persons.national_id = previous_persons.national_id
        AND current_persons.person_hash = previous_persons.person_hash
    UNION ALL
    SELECT current_persons.*
    FROM current_persons
    ANTI JOIN previous_persons
        ON previous_persons.national_id = current_persons.national_id
        AND previous_persons.person_hash = current_persons.person_hash
)

SELECT
    national_id,
    former_cmnd,
    name_key,
    gender,
    year(birth_date) AS birth_year
FROM changed
