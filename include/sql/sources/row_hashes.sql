-- Every record's key and row hash, computed by the source database (PostgreSQL; an incremental run
-- of a dataset whose source hashes its rows: pipeline/keyed_extract.py). Only these travel.
-- The placeholder in FROM is replaced by the dataset's wrapped extract query with its row_hash
-- (sources/postgres.py). Output: source_key, row_hash (BIGINT).
SELECT
    staged.source_key,
    staged.row_hash
FROM (
    __extract_sql__
) AS staged
