-- Registry of the per-run result tables (partitions in `sync_partitions` before they are
-- published), so that the janitor can tell how old a table is and which run and attempt
-- made it. A row is written, and
-- committed, before its table is created: a process killed at any moment leaves no table
-- the registry does not know. Idempotent.

CREATE TABLE IF NOT EXISTS staging.run_tables (
    schema_name   text        NOT NULL,
    table_name    text        NOT NULL,
    sector        text        NOT NULL,
    dataset       text        NOT NULL,
    run_id        text        NOT NULL,
    attempt       text        NOT NULL DEFAULT '',
    kind          text        NOT NULL,   -- matches, mismatches, suggestion_candidates
    registered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (schema_name, table_name)
);
