-- One row per run and dataset; a re-run of the same run replaces its row.
-- active_*: the rate over records in force (NULL without is_active).
-- The *_mismatches columns are the run's mismatch-lifecycle counts (NULL when not published).
INSERT INTO sync.sector_sync_rate AS rates (
    sector, dataset, run_id, logical_date, total, matched, mismatched, sync_rate,
    reason_counts, quality_status, quality_warnings,
    new_mismatches, resolved_mismatches, reopened_mismatches, open_mismatches,
    active_total, active_matched, active_sync_rate
)
VALUES (
    %(sector)s, %(dataset)s, %(run_id)s, %(logical_date)s, %(total)s, %(matched)s, %(mismatched)s,
    %(sync_rate)s, %(reason_counts)s, %(quality_status)s, %(quality_warnings)s,
    %(new_mismatches)s, %(resolved_mismatches)s, %(reopened_mismatches)s, %(open_mismatches)s,
    %(active_total)s, %(active_matched)s, %(active_sync_rate)s
)
ON CONFLICT (sector, dataset, run_id) DO UPDATE SET
    logical_date = excluded.logical_date,
    total = excluded.total,
    matched = excluded.matched,
    mismatched = excluded.mismatched,
    sync_rate = excluded.sync_rate,
    reason_counts = excluded.reason_counts,
    quality_status = excluded.quality_status,
    quality_warnings = excluded.quality_warnings,
    new_mismatches = excluded.new_mismatches,
    resolved_mismatches = excluded.resolved_mismatches,
    reopened_mismatches = excluded.reopened_mismatches,
    open_mismatches = excluded.open_mismatches,
    active_total = excluded.active_total,
    active_matched = excluded.active_matched,
    active_sync_rate = excluded.active_sync_rate,
    published_at = now()
