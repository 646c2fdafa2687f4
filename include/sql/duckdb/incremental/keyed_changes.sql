-- key_changes.sql's output in a run that read only keys and hashes of every record (DuckDB;
-- pipeline/keyed_extract.py): the keys whose own record is new, changed, repeated or removed.
-- Input: keyed_rows (keyed_rows.sql). Output: source_key, removed.
SELECT DISTINCT source_key, NOT at_source AS removed
FROM keyed_rows
WHERE changed AND source_key IS NOT NULL
