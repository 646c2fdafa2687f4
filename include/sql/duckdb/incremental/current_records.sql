-- Every current record as the incremental closure and the gate's profile see it, in a run that read
-- again only some rows (DuckDB; pipeline/keyed_extract.py).
-- Inputs: normalised (the rows read again, with the source's row_hash), source_rows (every
--         current record's key and hash), previous_state (the baseline's state), reread_keys.
-- Output: one row per current record: the row read again, or the baseline's record of an
--         unchanged key (same key, same hash: the same normalised values).
SELECT
    source_key,
    row_hash,
    id_kind,
    national_id,
    gender,
    birth_date_valid,
    full_name IS NOT NULL AS has_full_name,
    name_garbled,
    updated_at
FROM normalised
UNION ALL
SELECT
    previous_state.source_key,
    previous_state.row_hash,
    previous_state.id_kind,
    previous_state.national_id,
    previous_state.gender,
    previous_state.birth_date_valid,
    previous_state.has_full_name,
    previous_state.name_garbled,
    previous_state.updated_at
FROM previous_state
SEMI JOIN source_rows ON source_rows.source_key = previous_state.source_key
ANTI JOIN reread_keys ON reread_keys.source_key = previous_state.source_key
