-- Per-province counts of one run (DuckDB); the dataset totals are their sum.
WITH outcomes AS (
    SELECT
        coalesce(province_code, 'unknown') AS province_code,
        len(reasons) = 0 AS is_match
    FROM reconciled
)

SELECT
    province_code,
    count(*) AS total,
    count(*) FILTER (WHERE is_match) AS matched,
    count(*) FILTER (WHERE NOT is_match) AS mismatched
FROM outcomes
GROUP BY province_code
ORDER BY province_code
