-- Records per reason code per run day (summed over the selected datasets), oldest first: of whole
-- datasets, or of some provinces only.
-- Inputs: %(sectors)s text[]; %(dataset)s text or NULL; %(days)s int — run days kept;
-- %(provinces)s text[] or NULL: only these province codes as recorded (one current province's,
-- from reference.provinces); NULL counts whole datasets.
WITH runs AS (
    -- the last run of each dataset on each day
    SELECT DISTINCT ON (rates.sector, rates.dataset, (rates.logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
        (rates.logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS run_day,
        rates.sector,
        rates.dataset,
        rates.run_id,
        rates.reason_counts
    FROM sync.sector_sync_rate AS rates
    WHERE rates.sector = ANY(%(sectors)s)
      AND (%(dataset)s::text IS NULL OR rates.dataset = %(dataset)s::text)
    ORDER BY
        rates.sector, rates.dataset, (rates.logical_date AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
        rates.logical_date DESC, rates.published_at DESC
),

days AS (
    SELECT DISTINCT runs.run_day FROM runs ORDER BY runs.run_day DESC LIMIT %(days)s
),

kept_runs AS (
    SELECT runs.*
    FROM runs
    INNER JOIN days ON days.run_day = runs.run_day
),

counted AS (
    -- whole datasets: each run's own counts
    SELECT kept_runs.run_day, kept_runs.reason_counts
    FROM kept_runs
    WHERE %(provinces)s::text[] IS NULL
    UNION ALL
    -- some provinces: their counts in each run
    SELECT kept_runs.run_day, provinces.reason_counts
    FROM kept_runs
    INNER JOIN sync.province_sync_rate AS provinces
        ON provinces.sector = kept_runs.sector AND provinces.dataset = kept_runs.dataset
        AND provinces.run_id = kept_runs.run_id
    WHERE %(provinces)s::text[] IS NOT NULL AND provinces.province_code = ANY(%(provinces)s::text[])
)

SELECT counted.run_day, entry.key AS reason, sum(entry.value::bigint)::bigint AS records
FROM counted
CROSS JOIN LATERAL jsonb_each_text(counted.reason_counts) AS entry
GROUP BY counted.run_day, entry.key
ORDER BY counted.run_day, entry.key;
