-- The latest benchmark run's reason counts, counted from its mismatches.
-- Inputs: %(sector)s, %(dataset)s, %(run_id)s text.
WITH counted AS (
    SELECT code, count(*) AS records
    FROM sync.mismatches AS m
    CROSS JOIN LATERAL unnest(m.reasons) AS code
    WHERE m.sector = %(sector)s AND m.dataset = %(dataset)s
    GROUP BY code
)

UPDATE sync.sector_sync_rate AS rates
SET reason_counts = (SELECT jsonb_object_agg(counted.code, counted.records) FROM counted)
WHERE rates.sector = %(sector)s AND rates.dataset = %(dataset)s AND rates.run_id = %(run_id)s;
