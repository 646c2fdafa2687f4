-- Sector roll-up of the latest runs, straight from the contract view.
-- Inputs: %(sectors)s text[] — the sectors the user may see.
SELECT rollup.sector, rollup.datasets, rollup.total, rollup.matched, rollup.mismatched, rollup.sync_rate,
    rollup.active_total, rollup.active_matched, rollup.active_sync_rate
FROM sync.sector_rollup AS rollup
WHERE rollup.sector = ANY(%(sectors)s)
ORDER BY rollup.sector;
