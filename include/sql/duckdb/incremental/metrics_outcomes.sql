-- Every record's outcome for the metrics of an incremental run (DuckDB): the records classified
-- again (classified_records, the session's renamed `reconciled`) and those carried over
-- (carried_state). Output: the columns metrics.sql and reason_counts.sql read, as `reconciled`.
SELECT province_code, reasons, is_active FROM classified_records
UNION ALL
SELECT province_code, reasons, is_active FROM carried_state
