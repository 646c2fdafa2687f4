-- The logical date of the latest run applied to a dataset's lifecycle (NULL: none yet).
-- Inputs: sync.lifecycle_runs. Parameters: sector, dataset.
SELECT max(applied_date) AS applied_date
FROM sync.lifecycle_runs
WHERE sector = %(sector)s AND dataset = %(dataset)s
