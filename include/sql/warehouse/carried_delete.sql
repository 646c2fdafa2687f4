-- Remove from a carried partition of an incremental run the rows it does not carry over: the keys
-- classified again or removed at the source, and records without a key (classified every run).
-- Placeholders (psycopg.sql): {carried} the published table (or leaf) being carried over,
-- {excluded} the run's excluded-keys table (warehouse/carry_keys.sql).
WITH excluded_keys AS (
    SELECT source_key FROM {excluded}
)

DELETE FROM {carried} AS carried
WHERE carried.source_key IS NULL
    OR carried.source_key IN (SELECT source_key FROM excluded_keys)
