-- One mismatched record with its reasons and field details.
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text; sync.published_runs (the run shown).
SELECT
    m.sector,
    m.dataset,
    m.source_key,
    m.national_id,
    m.linked_national_id,
    m.province_code,
    m.reasons,
    m.details,
    m.first_seen,
    coalesce(published.run_id, m.run_id) AS run_id,
    coalesce(published.logical_date, m.logical_date) AS logical_date,
    m.suggested_national_id
FROM sync.mismatches AS m
-- the published run: a row an incremental run carried over keeps its classifying run's identity
LEFT JOIN sync.published_runs AS published ON published.sector = m.sector AND published.dataset = m.dataset
WHERE m.sector = %(sector)s AND m.dataset = %(dataset)s AND m.source_key = %(source_key)s;
