-- Record a run applied to a dataset's lifecycle (after review/apply_run.sql, same transaction);
-- a re-run of the logical date replaces the date's row.
-- Inputs: sync.lifecycle_runs. Parameters: sector, dataset, logical_date, run_id.
INSERT INTO sync.lifecycle_runs AS runs (sector, dataset, applied_date, run_id, applied_at)
VALUES (%(sector)s, %(dataset)s, %(logical_date)s, %(run_id)s, now())
ON CONFLICT (sector, dataset, applied_date) DO UPDATE SET
    run_id = excluded.run_id,
    applied_at = excluded.applied_at
