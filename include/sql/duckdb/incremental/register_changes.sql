-- Register persons that differ between the baseline run's register and the current one (DuckDB).
-- Inputs: previous_register (the baseline's copy of the snapshot); `persons_source` is replaced by
--         the current register (snapshot or mirror). Output: both versions of every changed
--         person (old row and new row; one of them for a new or removed person), with the
--         columns the closure reads: national_id, former_cmnd, name_key, gender, birth_year.
-- Every column the classification reads is compared, so a death, a correction, a new or removed
-- person and a former CMND given or taken all count as a change.
WITH previous_persons AS (
    SELECT national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender,
        residence_province, is_deceased, date_of_death, name_key
    FROM previous_register
),

current_persons AS (
    SELECT national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender,
        residence_province, is_deceased, date_of_death, name_key
    FROM persons_source
),

changed AS (
    (SELECT * FROM previous_persons EXCEPT SELECT * FROM current_persons)
    UNION ALL
    (SELECT * FROM current_persons EXCEPT SELECT * FROM previous_persons)
)

SELECT
    national_id,
    former_cmnd,
    name_key,
    gender,
    year(birth_date) AS birth_year
FROM changed
