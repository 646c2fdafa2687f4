-- The whole population register as the suggestion probe reads it (ADBC, register database): the
-- columns the suggestion rules use, as text. No parameters.
SELECT persons.national_id::text AS national_id, persons.full_name, persons.gender::text AS gender,
    persons.birth_date, persons.birth_date_precision, persons.former_cmnd::text AS former_cmnd,
    persons.residence_province::text AS residence_province
FROM dan_cu.persons AS persons
