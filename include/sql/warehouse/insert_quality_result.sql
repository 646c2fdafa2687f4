-- One quality check outcome of one run (sync.quality_results); the caller deletes the run's old rows first.
INSERT INTO sync.quality_results (
    sector, dataset, run_id, logical_date, check_name, quality, expectation, severity, success,
    observed_value, threshold, details
)
VALUES (
    %(sector)s, %(dataset)s, %(run_id)s, %(logical_date)s, %(check_name)s, %(quality)s, %(expectation)s,
    %(severity)s, %(success)s, %(observed_value)s, %(threshold)s, %(details)s
)
