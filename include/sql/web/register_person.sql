-- The register mirror's values for one linked person (side-by-side view).
-- Inputs: %(national_id)s text.
SELECT
    persons.national_id,
    persons.full_name,
    persons.birth_date,
    persons.birth_date_precision,
    persons.gender,
    persons.is_deceased,
    persons.date_of_death,
    persons.residence_province
FROM reference.persons AS persons
WHERE persons.national_id = %(national_id)s;
