-- The baseline run's record state, assembled from the layers it was kept in (DuckDB).
-- A state is a base (layer 0: every record, kept by a full run or a compaction) and, on top,
-- one layer per incremental run since (the records it classified again). Each layer's file
-- carries `state_layer`; each layer's dropped-keys file lists the keys that run did not carry
-- over (classified again, or removed at the source), with the same `state_layer`.
-- Placeholders: __layers__ and __dropped__ (DuckDB lists of the files' paths, oldest first).
-- Parameter: $last_layer (INTEGER: the newest layer).
-- Output: the state_records.sql columns, one row per record of the baseline run: a record's
-- row from the newest layer that classified it, unless a later layer dropped its key; records
-- without a key (classified every run) from the newest layer only.
WITH layered AS (
    SELECT * FROM read_parquet(__layers__)
),

dropped AS (
    -- the last layer that dropped each key (a layer drops the keys it classified again, too)
    SELECT source_key, max(state_layer) AS last_dropped
    FROM read_parquet(__dropped__)
    GROUP BY source_key
)

SELECT layered.* EXCLUDE (state_layer)
FROM layered
LEFT JOIN dropped ON dropped.source_key = layered.source_key
WHERE CASE
    WHEN layered.source_key IS NULL THEN layered.state_layer = $last_layer
    ELSE dropped.last_dropped IS NULL OR dropped.last_dropped <= layered.state_layer
END
