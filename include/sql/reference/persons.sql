-- The register mirror (reference.persons) as the rules read it: the columns reconcile and the
-- register snapshot use, one row per person. No parameters; read over ADBC (no trailing semicolon).
SELECT mirror.national_id, mirror.former_cmnd, mirror.full_name, mirror.birth_date, mirror.birth_date_precision,
    mirror.gender, mirror.residence_province, mirror.is_deceased, mirror.date_of_death
FROM reference.persons AS mirror
