-- Sync-rate history of every dataset (most recent runs), oldest first.
-- Inputs: %(sectors)s text[]; %(runs)s int — runs kept per dataset.
WITH ranked AS (
    SELECT
        rates.sector,
        rates.dataset,
        rates.logical_date,
        rates.sync_rate,
        rates.reason_counts,
        row_number() OVER (
            PARTITION BY rates.sector, rates.dataset ORDER BY rates.logical_date DESC, rates.published_at DESC
        ) AS recency
    FROM sync.sector_sync_rate AS rates
    WHERE rates.sector = ANY(%(sectors)s)
)

SELECT ranked.sector, ranked.dataset, ranked.logical_date, ranked.sync_rate, ranked.reason_counts
FROM ranked
WHERE ranked.recency <= %(runs)s
ORDER BY ranked.sector, ranked.dataset, ranked.logical_date;
