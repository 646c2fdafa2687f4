-- Datasets that have published results, for the filters.
-- Inputs: %(sectors)s text[].
SELECT runs.sector, runs.dataset
FROM sync.published_runs AS runs
WHERE runs.sector = ANY(%(sectors)s)
ORDER BY runs.sector, runs.dataset;
