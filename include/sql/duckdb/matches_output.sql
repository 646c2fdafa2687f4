-- Matched records, shaped like sync.matches (DuckDB).
WITH matched AS (
    SELECT * FROM reconciled WHERE len(reasons) = 0
)

SELECT
    $sector AS sector,
    $dataset AS dataset,
    source_key,
    linked_national_id AS national_id,
    province_code,
    $run_id AS run_id,
    $logical_date::TIMESTAMPTZ AS logical_date
FROM matched
