-- Incremental runs (additive to the contract): how each published run was made, and where the
-- state the next incremental run starts from lies (docs/data-contract.md, "sync.published_runs").
-- run_mode: 'full' (every record classified) or 'incremental' (the records whose results can
-- have changed classified, the others' rows carried over from the run before).
-- state_ref: the run's state folder below POPSYNC_WORK_DIR/state, NULL when it keeps none.
-- Input: sync.published_runs.
SELECT pg_temp.add_column_if_missing('sync.published_runs', 'run_mode', 'text NOT NULL DEFAULT ''full''');
SELECT pg_temp.add_column_if_missing('sync.published_runs', 'state_ref', 'text');
