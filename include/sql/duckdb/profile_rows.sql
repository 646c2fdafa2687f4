-- What the profile of the gate (profile.sql) counts of each record of the session's `normalised` (DuckDB).
SELECT
    source_key,
    id_kind,
    gender,
    birth_date_valid,
    full_name IS NOT NULL AS has_full_name,
    name_garbled,
    updated_at
FROM normalised
