-- Whether a PostgreSQL source can hash its rows for incremental runs (sources/postgres.py:
-- hash_record_extended, PostgreSQL 14 or later). Output: one row, one BOOLEAN column.
SELECT current_setting('server_version_num')::integer >= 140000 AS hashes_rows
