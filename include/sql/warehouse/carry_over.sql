-- Copy the rows of every record an incremental run carries over from the published run's table
-- of one kind (matches, mismatches or suggestion_candidates) into the run's table of that kind.
-- Placeholders (psycopg.sql): {target} the run's table, {previous} the published partition,
-- {columns} the kind's columns except the run's constants (sector, dataset, run_id,
-- logical_date, bucket: the target's defaults). Input: pg_temp.carry_excluded (carry_keys.sql).
-- A record without a source key is never carried over (it is classified again each run).
WITH carried AS (
    SELECT {columns}
    FROM {previous} AS previous
    WHERE previous.source_key IS NOT NULL
        AND NOT EXISTS (
            SELECT 1 FROM pg_temp.carry_excluded AS excluded
            WHERE excluded.source_key = previous.source_key
        )
)

INSERT INTO {target} ({columns})
SELECT {columns} FROM carried
