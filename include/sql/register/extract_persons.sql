WITH changed_persons AS (
    SELECT
        national_id::text AS national_id,
        former_cmnd::text AS former_cmnd,
        full_name,
        birth_date,
        birth_date_precision,
        gender::text AS gender,
        residence_province::text AS residence_province,
        is_deceased,
        date_of_death,
        updated_at,
        residence_commune::text AS residence_commune
    FROM dan_cu.persons
    WHERE %(since)s::timestamptz IS NULL OR updated_at >= %(since)s::timestamptz
)

SELECT * FROM changed_persons
