-- Per-province counts of one run (DuckDB); the dataset totals are their sum.
-- active_*: records in force (is_active true); a NULL is_active counts as not active. The
-- caller reports them only for datasets that map an is_active column.
WITH outcomes AS (
    SELECT
        coalesce(province_code, 'unknown') AS province_code,
        len(reasons) = 0 AS is_match,
        coalesce(is_active, false) AS in_force
    FROM reconciled
)

SELECT
    province_code,
    count(*) AS total,
    count(*) FILTER (WHERE is_match) AS matched,
    count(*) FILTER (WHERE NOT is_match) AS mismatched,
    count(*) FILTER (WHERE in_force) AS active_total,
    count(*) FILTER (WHERE in_force AND is_match) AS active_matched
FROM outcomes
GROUP BY province_code
ORDER BY province_code
