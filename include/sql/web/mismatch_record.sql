-- One mismatched record with its reasons and field details.
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
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
    m.run_id,
    m.logical_date,
    m.suggested_national_id
FROM sync.mismatches AS m
WHERE m.sector = %(sector)s AND m.dataset = %(dataset)s AND m.source_key = %(source_key)s;
