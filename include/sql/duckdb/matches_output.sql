-- Matched records, shaped like sync.matches (DuckDB).
-- sector, dataset, run_id and logical_date are defaults of the run's result table.
WITH matched AS (
    SELECT * FROM reconciled WHERE len(reasons) = 0
)

SELECT
    source_key,
    linked_national_id AS national_id,
    province_code
FROM matched
