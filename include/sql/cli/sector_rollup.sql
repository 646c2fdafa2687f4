-- Every sector's roll-up over its datasets' latest runs, for the CLI's table (contract view).
-- No parameters.
SELECT rollup.sector, rollup.total, rollup.matched, rollup.mismatched, rollup.sync_rate,
    rollup.active_total, rollup.active_sync_rate
FROM sync.sector_rollup AS rollup
ORDER BY rollup.sector;
