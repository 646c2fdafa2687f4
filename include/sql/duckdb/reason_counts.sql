-- Records per reason code in one run (DuckDB); a record counts once for each of its reasons.
WITH reasons AS (
    SELECT unnest(reasons) AS reason FROM reconciled
)

SELECT
    reason,
    count(*) AS records
FROM reasons
GROUP BY reason
ORDER BY reason
