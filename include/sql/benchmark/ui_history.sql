-- Synthetic run history (sync rates, per-province rates) for the web UI benchmark.
-- Inputs: %(sector)s, %(dataset)s text; %(runs)s int; %(total)s, %(mismatched)s bigint;
--         %(logical_date)s timestamptz — the latest run's; %(provinces)s text[].
WITH runs AS (
    SELECT
        k,
        %(logical_date)s::timestamptz - make_interval(days => %(runs)s::int - k) AS logical_date,
        CASE WHEN k = %(runs)s::int THEN %(mismatched)s::bigint
             ELSE (%(mismatched)s::bigint * (1.2 - k / (%(runs)s::numeric * 5)))::bigint END AS mismatched
    FROM generate_series(1, %(runs)s::int) AS k
),

rates AS (
    INSERT INTO sync.sector_sync_rate AS r (
        sector, dataset, run_id, logical_date, total, matched, mismatched, sync_rate, reason_counts, published_at
    )
    SELECT
        %(sector)s, %(dataset)s, 'bench__' || to_char(runs.logical_date, 'YYYY-MM-DD'), runs.logical_date,
        %(total)s, %(total)s - runs.mismatched, runs.mismatched,
        (%(total)s - runs.mismatched)::double precision / %(total)s,
        jsonb_build_object('NAME_MISMATCH', runs.mismatched / 10, 'DOB_MISMATCH', runs.mismatched / 20),
        runs.logical_date
    FROM runs
    ON CONFLICT (sector, dataset, run_id) DO NOTHING
    RETURNING r.run_id, r.logical_date, r.total, r.mismatched
)

INSERT INTO sync.province_sync_rate (
    sector, dataset, run_id, logical_date, province_code, total, matched, mismatched, sync_rate
)
SELECT
    %(sector)s, %(dataset)s, rates.run_id, rates.logical_date, code,
    rates.total / cardinality(%(provinces)s::text[]),
    rates.total / cardinality(%(provinces)s::text[]) - rates.mismatched / cardinality(%(provinces)s::text[]),
    rates.mismatched / cardinality(%(provinces)s::text[]),
    1 - rates.mismatched::double precision / rates.total
FROM rates
CROSS JOIN unnest(%(provinces)s::text[]) AS code
ON CONFLICT DO NOTHING;
