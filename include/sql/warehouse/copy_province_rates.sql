-- A run's rates per province, streamed in by COPY (rows in this column order).
COPY sync.province_sync_rate (
    sector, dataset, run_id, logical_date, province_code, total, matched, mismatched, sync_rate,
    active_total, active_matched, active_sync_rate, reason_counts
) FROM STDIN
