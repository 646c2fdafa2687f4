-- Every current record as the incremental closure and the gate's profile see it, in a run that read
-- again only some rows (DuckDB; pipeline/keyed_extract.py).
-- Inputs: normalised (the rows read again, with the source's row_hash), keyed_rows (keyed_rows.sql).
-- Output: one row per current record: the row read again, or the baseline's record of an
--         unchanged key (same key, same hash: the same normalised values).
SELECT
    source_key, row_hash, id_kind, national_id, gender, birth_date_valid,
    full_name IS NOT NULL AS has_full_name, name_garbled, updated_at
FROM normalised
UNION ALL BY NAME
-- keyed_rows.sql carries the baseline's values of exactly these columns
SELECT * EXCLUDE (at_source, changed)
FROM keyed_rows
WHERE at_source AND NOT changed
