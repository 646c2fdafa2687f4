-- A register relation with each person's version hash (macros.sql: person_hash), for the snapshot
-- and for a register that lacks it (incremental/register_changes.sql compares versions by it).
-- The relation read below is put in by the caller: the snapshot's columns with name_key (DuckDB).
SELECT
    persons.*,
    person_hash(
        persons.national_id, persons.former_cmnd, persons.full_name, persons.birth_date,
        persons.birth_date_precision, persons.gender, persons.residence_province, persons.is_deceased,
        persons.date_of_death, persons.name_key
    ) AS person_hash
FROM persons_source AS persons
