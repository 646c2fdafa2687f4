-- One join of every current record's key and hash (as the source computed them) with the baseline's
-- state (DuckDB; pipeline/keyed_extract.py): what an incremental run that reads only keys and
-- hashes of every record learns before reading any row.
-- Inputs: source_rows (source_key, row_hash: every current record), previous_state (the
--         baseline's state, state_records.sql).
-- Parameter: $repeats_before (BOOLEAN: whether some key was held by several records in the
--         baseline; true when not known).
-- Output: one row per current record and per removed baseline record: source_key; at_source
--         (false: the baseline's record of a key gone from the source); changed (true: the row
--         must be read again and classified: a new key, a changed hash, a baseline record without
--         a hash (state_records.sql), a key held by several records now or in the baseline, a
--         record without a key; or the key is gone); and the baseline's values of an unchanged
--         record that the closure and the gate's profile read (current_records.sql).
WITH repeated_keys AS (
    SELECT source_key FROM source_rows
    WHERE source_key IS NOT NULL
    GROUP BY source_key HAVING count(*) > 1
    UNION ALL
    SELECT source_key FROM previous_state
    WHERE $repeats_before AND source_key IS NOT NULL
    GROUP BY source_key HAVING count(*) > 1
)

SELECT
    coalesce(source_rows.source_key, previous_state.source_key) AS source_key,
    source_rows.row_hash IS NOT NULL AS at_source,  -- a hash of a record is never NULL
    source_rows.row_hash IS NULL
        OR previous_state.source_key IS NULL
        OR source_rows.source_key IS NULL
        OR previous_state.row_hash IS DISTINCT FROM source_rows.row_hash
        OR source_rows.source_key IN (SELECT source_key FROM repeated_keys) AS changed,
    source_rows.row_hash,
    previous_state.id_kind,
    previous_state.national_id,
    previous_state.gender,
    previous_state.birth_date_valid,
    previous_state.has_full_name,
    previous_state.name_garbled,
    previous_state.updated_at
FROM source_rows
FULL JOIN previous_state ON previous_state.source_key = source_rows.source_key
-- the baseline's records without a key (classified in every run) match nothing and drop out
WHERE source_rows.row_hash IS NOT NULL OR previous_state.source_key IS NOT NULL
