-- Records per province and reason code in one run (DuckDB); a record counts once for each of its
-- reasons, under the province of metrics.sql (the code as recorded, 'unknown' when none).
WITH reasons AS (
    SELECT
        coalesce(province_code, 'unknown') AS province_code,
        unnest(reasons) AS reason
    FROM reconciled
)

SELECT
    province_code,
    reason,
    count(*) AS records
FROM reasons
GROUP BY province_code, reason
ORDER BY province_code, reason
