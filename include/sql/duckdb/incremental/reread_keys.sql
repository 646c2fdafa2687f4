-- The keys whose rows an incremental run reads again from a source that hashes its rows (DuckDB;
-- pipeline/keyed_extract.py). Input: keyed_rows (keyed_rows.sql). Records without a key are read
-- again too, by their own condition.
SELECT DISTINCT source_key
FROM keyed_rows
WHERE at_source AND changed AND source_key IS NOT NULL
