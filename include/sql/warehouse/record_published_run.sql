-- The run just swapped in becomes the dataset's published run (one row per dataset).
-- Inputs: %(sector)s, %(dataset)s, %(run_id)s text; %(logical_date)s timestamptz; %(matches_table)s,
-- %(mismatches_table)s, %(candidates_table)s text — its partitions in sync_partitions;
-- %(run_mode)s text ('full' or 'incremental'); %(state_ref)s text or NULL — its kept state.
INSERT INTO sync.published_runs AS published
    (sector, dataset, run_id, logical_date, matches_table, mismatches_table, candidates_table, run_mode, state_ref)
VALUES (
    %(sector)s, %(dataset)s, %(run_id)s, %(logical_date)s, %(matches_table)s, %(mismatches_table)s,
    %(candidates_table)s, %(run_mode)s, %(state_ref)s
)
ON CONFLICT (sector, dataset) DO UPDATE SET
    run_id = excluded.run_id,
    logical_date = excluded.logical_date,
    matches_table = excluded.matches_table,
    mismatches_table = excluded.mismatches_table,
    candidates_table = excluded.candidates_table,
    run_mode = excluded.run_mode,
    state_ref = excluded.state_ref,
    published_at = now();
