-- The latest published sync rate of every dataset, for the CLI's table (contract view).
-- active_*: the rate over records in force (NULL for datasets without is_active). No parameters.
SELECT latest.sector, latest.dataset, latest.total, latest.matched, latest.mismatched, latest.sync_rate,
    latest.active_total, latest.active_sync_rate, latest.quality_status
FROM sync.latest_sync_rate AS latest
ORDER BY latest.sector, latest.dataset;
