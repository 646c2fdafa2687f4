-- Records per reason code per run day in some provinces (summed over the selected datasets), oldest
-- first. Inputs: %(sectors)s text[]; %(dataset)s text or NULL; %(days)s int — run days kept;
-- %(provinces)s text[]: province codes as recorded (one current province's, from reference.provinces).
WITH runs AS (
    -- the last run of each dataset on each day
    SELECT DISTINCT ON (rates.sector, rates.dataset, (rates.logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
        (rates.logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS run_day,
        rates.sector,
        rates.dataset,
        rates.run_id
    FROM sync.sector_sync_rate AS rates
    WHERE rates.sector = ANY(%(sectors)s)
      AND (%(dataset)s::text IS NULL OR rates.dataset = %(dataset)s::text)
    ORDER BY
        rates.sector, rates.dataset, (rates.logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
        rates.logical_date DESC, rates.published_at DESC
),

days AS (
    SELECT DISTINCT runs.run_day FROM runs ORDER BY runs.run_day DESC LIMIT %(days)s
)

SELECT runs.run_day, entry.key AS reason, sum(entry.value::bigint)::bigint AS records
FROM runs
INNER JOIN days ON days.run_day = runs.run_day
INNER JOIN sync.province_sync_rate AS provinces
    ON provinces.sector = runs.sector AND provinces.dataset = runs.dataset AND provinces.run_id = runs.run_id
CROSS JOIN LATERAL jsonb_each_text(provinces.reason_counts) AS entry
WHERE provinces.province_code = ANY(%(provinces)s::text[])
GROUP BY runs.run_day, entry.key
ORDER BY runs.run_day, entry.key;
