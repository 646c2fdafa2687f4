-- GX validation results of one run of one dataset, for building its Data Docs pages.
-- Parameters: sector, dataset, run_id.
WITH run_validations AS (
    SELECT data_asset, logical_date, suite, result
    FROM sync.quality_validations
    WHERE sector = %(sector)s AND dataset = %(dataset)s AND run_id = %(run_id)s
)

SELECT data_asset, logical_date, suite, result
FROM run_validations
ORDER BY data_asset
