-- What the profile of the gate (profile.sql) counts of each record in an incremental run that read again
-- only some rows (DuckDB; pipeline/keyed_extract.py). Input: current_records (current_records.sql).
SELECT
    source_key,
    id_kind,
    gender,
    birth_date_valid,
    has_full_name,
    name_garbled,
    updated_at
FROM current_records
