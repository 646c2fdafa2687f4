-- How many records a dataset's extract yields (run against the sector database by the plan step).
-- The placeholder in FROM is replaced by the dataset's wrapped extract query (pipeline/extract.py).
-- Output: one row, one column: records.
SELECT count(*) AS records
FROM (
    __extract_sql__
) AS extracted_records
