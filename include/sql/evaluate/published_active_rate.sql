-- The published rate over records in force of a dataset's latest run (ADBC).
-- Inputs: $1 sector, $2 dataset (text).
SELECT latest.active_total, latest.active_sync_rate
FROM sync.latest_sync_rate AS latest
WHERE latest.sector = $1 AND latest.dataset = $2
