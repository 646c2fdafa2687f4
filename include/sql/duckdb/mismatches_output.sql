-- Mismatched records, shaped like sync.mismatches (DuckDB).
WITH mismatched AS (
    SELECT * FROM reconciled WHERE len(reasons) > 0
)

SELECT
    $sector AS sector,
    $dataset AS dataset,
    source_key,
    national_id,
    linked_national_id,
    province_code,
    reasons,
    details::VARCHAR AS details,
    first_seen::TIMESTAMPTZ AS first_seen,
    $run_id AS run_id,
    $logical_date::TIMESTAMPTZ AS logical_date
FROM mismatched
