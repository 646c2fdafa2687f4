-- Records per reason code over the latest run of each selected dataset: of whole datasets, or of
-- some provinces only.
-- Inputs: %(sectors)s text[]; %(dataset)s text or NULL; %(provinces)s text[] or NULL: only these
-- province codes as recorded (one current province's codes from reference.provinces); NULL counts
-- whole datasets. Runs published before sync.province_sync_rate.reason_counts existed count
-- nothing in a province ('{}').
WITH latest AS (
    SELECT runs.sector, runs.dataset, runs.run_id, runs.reason_counts
    FROM sync.latest_sync_rate AS runs
    WHERE runs.sector = ANY(%(sectors)s)
      AND (%(dataset)s::text IS NULL OR runs.dataset = %(dataset)s::text)
),

counted AS (
    -- whole datasets: each run's own counts
    SELECT latest.reason_counts
    FROM latest
    WHERE %(provinces)s::text[] IS NULL
    UNION ALL
    -- some provinces: their counts in each run
    SELECT provinces.reason_counts
    FROM latest
    INNER JOIN sync.province_sync_rate AS provinces
        ON provinces.sector = latest.sector AND provinces.dataset = latest.dataset
        AND provinces.run_id = latest.run_id
    WHERE %(provinces)s::text[] IS NOT NULL AND provinces.province_code = ANY(%(provinces)s::text[])
),

counts AS (
    SELECT entry.key AS reason, entry.value::bigint AS records
    FROM counted
    CROSS JOIN LATERAL jsonb_each_text(counted.reason_counts) AS entry
)

SELECT counts.reason, sum(counts.records)::bigint AS records
FROM counts
GROUP BY counts.reason
ORDER BY records DESC, counts.reason;
