-- Lifecycle rows for the benchmark's mismatches (every tenth with a verdict, every 25th reopened).
-- Inputs: %(sector)s, %(dataset)s text.
INSERT INTO sync.mismatch_lifecycle (
    sector, dataset, source_key, status, first_seen, last_seen, reopened_count, current_reasons,
    verdict, verdict_by, verdict_at, run_id, applied_date
)
SELECT
    m.sector,
    m.dataset,
    m.source_key,
    'open',
    m.first_seen,
    m.logical_date,
    CASE WHEN right(m.source_key, 2)::int %% 25 = 0 THEN 1 ELSE 0 END,
    m.reasons,
    CASE WHEN right(m.source_key, 1) = '7' THEN 'fixing_at_source' END,
    CASE WHEN right(m.source_key, 1) = '7' THEN 'bench' END,
    CASE WHEN right(m.source_key, 1) = '7' THEN m.logical_date END,
    m.run_id,
    m.logical_date
FROM sync.mismatches AS m
WHERE m.sector = %(sector)s AND m.dataset = %(dataset)s
ON CONFLICT DO NOTHING;
