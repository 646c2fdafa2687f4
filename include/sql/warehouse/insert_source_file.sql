-- One file a run read (sync.source_files); a retried attempt of the same run has its own rows.
INSERT INTO sync.source_files (
    sector, dataset, run_id, attempt, logical_date, file_name, sha256, size_bytes, row_count, encoding
)
VALUES (
    %(sector)s, %(dataset)s, %(run_id)s, %(attempt)s, %(logical_date)s, %(file_name)s, %(sha256)s,
    %(size_bytes)s, %(row_count)s, %(encoding)s
)
ON CONFLICT (sector, dataset, run_id, attempt, file_name) DO NOTHING
