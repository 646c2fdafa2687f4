-- Read-only views of the contract for dashboards.
-- security_invoker: a view checks its reader's rights and row-level security (per-sector access), not its owner's.

-- Latest published run per dataset, and its sector roll-up.
CREATE OR REPLACE VIEW sync.latest_sync_rate WITH (security_invoker = true) AS
WITH ranked AS (
    SELECT
        rates.*,
        row_number() OVER (PARTITION BY sector, dataset ORDER BY logical_date DESC, published_at DESC) AS recency
    FROM sync.sector_sync_rate AS rates
)

SELECT
    sector, dataset, run_id, logical_date, total, matched, mismatched, sync_rate, reason_counts, quality_status,
    active_total, active_matched, active_sync_rate
FROM ranked
WHERE recency = 1;

CREATE OR REPLACE VIEW sync.sector_rollup WITH (security_invoker = true) AS
WITH latest AS (
    SELECT * FROM sync.latest_sync_rate
)

SELECT
    sector,
    count(*) AS datasets,
    sum(total) AS total,
    sum(matched) AS matched,
    sum(mismatched) AS mismatched,
    sum(matched)::double precision / nullif(sum(total), 0) AS sync_rate,
    -- over the datasets that report records in force (NULL when none does)
    sum(active_total) AS active_total,
    sum(active_matched) AS active_matched,
    sum(active_matched)::double precision / nullif(sum(active_total), 0) AS active_sync_rate
FROM latest
GROUP BY sector;
