-- Records per reason code over the latest run of each selected dataset, in some provinces only.
-- Inputs: %(sectors)s text[]; %(dataset)s text or NULL; %(provinces)s text[]: province codes as
-- recorded (one current province's codes from reference.provinces). Runs published before
-- sync.province_sync_rate.reason_counts existed count nothing ('{}').
WITH latest AS (
    SELECT runs.sector, runs.dataset, runs.run_id
    FROM sync.latest_sync_rate AS runs
    WHERE runs.sector = ANY(%(sectors)s)
      AND (%(dataset)s::text IS NULL OR runs.dataset = %(dataset)s::text)
),

counts AS (
    SELECT entry.key AS reason, entry.value::bigint AS records
    FROM sync.province_sync_rate AS provinces
    INNER JOIN latest
        ON latest.sector = provinces.sector AND latest.dataset = provinces.dataset
        AND latest.run_id = provinces.run_id
    CROSS JOIN LATERAL jsonb_each_text(provinces.reason_counts) AS entry
    WHERE provinces.province_code = ANY(%(provinces)s::text[])
)

SELECT counts.reason, sum(counts.records)::bigint AS records
FROM counts
GROUP BY counts.reason
ORDER BY records DESC, counts.reason;
