-- GX's validation result of one data asset of one run (sync.quality_validations); replaces a re-run's row.
INSERT INTO sync.quality_validations (sector, dataset, run_id, data_asset, logical_date, suite, result, success)
VALUES (
    %(sector)s, %(dataset)s, %(run_id)s, %(data_asset)s, %(logical_date)s, %(suite)s, %(result)s, %(success)s
)
ON CONFLICT (sector, dataset, run_id, data_asset) DO UPDATE
SET logical_date = excluded.logical_date,
    suite = excluded.suite,
    result = excluded.result,
    success = excluded.success,
    validated_at = now()
