-- Apply the register's changed rows (persons_changes, reference/persons_changes.sql) to the mirror.
INSERT INTO reference.persons AS persons
SELECT * FROM persons_changes
ON CONFLICT (national_id) DO UPDATE SET
    former_cmnd = excluded.former_cmnd,
    full_name = excluded.full_name,
    birth_date = excluded.birth_date,
    birth_date_precision = excluded.birth_date_precision,
    gender = excluded.gender,
    residence_province = excluded.residence_province,
    is_deceased = excluded.is_deceased,
    date_of_death = excluded.date_of_death,
    updated_at = excluded.updated_at,
    residence_commune = excluded.residence_commune
