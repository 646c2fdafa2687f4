-- The keys whose rows an incremental run reads again from a source that hashes its rows (DuckDB;
-- pipeline/keyed_extract.py). Inputs: source_rows (every current record's source_key and
-- row_hash, as the source computed them), previous_state (the baseline's state).
-- Parameter: $repeats_before (BOOLEAN: whether some key was held by several records in the
-- baseline; true when not known).
-- Output: source_key of every new key, every key whose hash changed (a NULL baseline hash: a
-- record whose normalised values the run's date decides, state_records.sql), and every key held
-- by several records now or in the baseline (never carried over by key).
WITH current_keys AS (
    SELECT source_key, count(*) AS records, min(row_hash) AS row_hash
    FROM source_rows
    WHERE source_key IS NOT NULL
    GROUP BY source_key
),

repeated_before AS (
    SELECT source_key
    FROM previous_state
    WHERE $repeats_before AND source_key IS NOT NULL
    GROUP BY source_key
    HAVING count(*) > 1
)

SELECT current_keys.source_key
FROM current_keys
LEFT JOIN previous_state ON previous_state.source_key = current_keys.source_key
WHERE current_keys.records > 1
    OR previous_state.source_key IS NULL
    OR previous_state.row_hash IS DISTINCT FROM current_keys.row_hash
UNION
SELECT source_key FROM repeated_before
