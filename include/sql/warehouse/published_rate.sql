-- The row count and sync rate of a dataset's currently published run (no row before the first).
-- Inputs: %(sector)s, %(dataset)s text.
SELECT rates.total, rates.sync_rate
FROM sync.published_runs AS published
INNER JOIN sync.sector_sync_rate AS rates
    ON rates.sector = published.sector AND rates.dataset = published.dataset AND rates.run_id = published.run_id
WHERE published.sector = %(sector)s AND published.dataset = %(dataset)s;
