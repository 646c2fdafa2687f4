-- Sync rate per province over the latest run of each selected dataset.
-- Inputs: %(sectors)s text[]; %(dataset)s text or NULL (every dataset of the sectors).
WITH latest AS (
    SELECT runs.sector, runs.dataset, runs.run_id
    FROM sync.latest_sync_rate AS runs
    WHERE runs.sector = ANY(%(sectors)s)
      AND (%(dataset)s::text IS NULL OR runs.dataset = %(dataset)s::text)
)

SELECT
    provinces.province_code,
    sum(provinces.total)::bigint AS total,
    sum(provinces.matched)::bigint AS matched,
    sum(provinces.mismatched)::bigint AS mismatched,
    sum(provinces.matched)::double precision / nullif(sum(provinces.total), 0) AS sync_rate,
    sum(provinces.active_total)::bigint AS active_total,
    sum(provinces.active_matched)::double precision / nullif(sum(provinces.active_total), 0) AS active_sync_rate,
    sum(provinces.active_matched)::bigint AS active_matched
FROM sync.province_sync_rate AS provinces
INNER JOIN latest
    ON latest.sector = provinces.sector AND latest.dataset = provinces.dataset AND latest.run_id = provinces.run_id
GROUP BY provinces.province_code
ORDER BY provinces.province_code;
