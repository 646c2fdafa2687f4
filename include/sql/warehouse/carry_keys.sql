-- The keys an incremental run does not carry over (classified again, or removed at the source):
-- publish deletes their rows from the carried partitions (warehouse/carried_delete.sql).
-- Placeholder (psycopg.sql): {table} the run's excluded-keys table (DatasetRun.excluded_keys_table).
CREATE TABLE {table} (
    source_key text PRIMARY KEY
)
