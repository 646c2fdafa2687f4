-- The keys whose own record changed since the baseline (DuckDB; an incremental run that read and
-- normalised every record). Inputs: normalised (every current record, with row_hash),
-- previous_state (the baseline's state, state_records.sql).
-- Parameters: $repeats_now, $repeats_before (BOOLEAN: whether some key is held by several records
-- now / in the baseline; true when not known).
-- Output: source_key, removed (true: the key is gone from the source). New keys, changed rows (row
-- hash; a NULL baseline hash counts as changed), removed keys, and every key several records hold
-- now or in the baseline (never carried over by key). Records without a key drop out: they are
-- classified in every run.
WITH current_records AS (
    SELECT source_key, row_hash FROM normalised
),

repeated_keys AS (
    -- a key held by several records (now or in the baseline) is never carried over by key;
    -- $repeats_now / $repeats_before: false when the gate's profile of that run counted no
    -- repeated key, so the side is not grouped (the usual case)
    SELECT source_key FROM current_records
    WHERE $repeats_now AND source_key IS NOT NULL
    GROUP BY source_key HAVING count(*) > 1
    UNION
    SELECT source_key FROM previous_state
    WHERE $repeats_before AND source_key IS NOT NULL
    GROUP BY source_key HAVING count(*) > 1
),

changes AS (
    -- one join of the current records with the baseline's by key: new keys, changed rows (row
    -- hash; a current one is never NULL, a baseline one may be) and removed keys (records
    -- without a key match nothing and drop out)
    SELECT
        coalesce(current_records.source_key, previous_state.source_key) AS source_key,
        current_records.source_key IS NULL AS removed
    FROM current_records
    FULL JOIN previous_state ON previous_state.source_key = current_records.source_key
    WHERE coalesce(current_records.source_key, previous_state.source_key) IS NOT NULL
        AND (current_records.source_key IS NULL
            OR previous_state.source_key IS NULL
            OR current_records.row_hash IS DISTINCT FROM previous_state.row_hash)
)

SELECT source_key, removed FROM changes
UNION
SELECT source_key, false AS removed FROM repeated_keys
