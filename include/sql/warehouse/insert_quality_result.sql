-- One quality check outcome of one run (sync.quality_results); the caller deletes the run's old rows first.
-- observed_value is GX's observed value when it is a number; observed and gx_result keep GX's own JSON.
INSERT INTO sync.quality_results (
    sector, dataset, run_id, logical_date, check_name, quality, expectation, severity, success,
    observed_value, threshold, details, expectation_type, data_asset, observed, gx_result
)
VALUES (
    %(sector)s, %(dataset)s, %(run_id)s, %(logical_date)s, %(check_name)s, %(quality)s, %(expectation)s,
    %(severity)s, %(success)s, %(observed_value)s, %(threshold)s, %(details)s, %(expectation_type)s,
    %(data_asset)s, %(observed)s, %(gx_result)s
)
