-- The IDs the normalised records (of the dataset or bucket) can link to the register by, for
-- duckdb/linkable_persons.sql: well-formed 12-digit IDs and former 9-digit CMNDs (DuckDB).
-- Inputs: the session's table normalised.
SELECT DISTINCT normalised.national_id
FROM normalised
WHERE normalised.id_kind IN ('cccd', 'cmnd')
