-- The lifecycle row of one record (none: it was never mismatched), from the view that gives an
-- open mismatch's last_seen as the latest run that found it.
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
SELECT seen.sector, seen.dataset, seen.source_key, seen.status, seen.first_seen, seen.last_seen, seen.resolved_at,
    seen.resolution, seen.reopened_count, seen.current_reasons, seen.previous_reasons, seen.verdict, seen.verdict_by,
    seen.verdict_at, seen.verdict_comment, seen.verdict_closed_at, seen.verdict_flagged
FROM sync.mismatch_lifecycle_seen AS seen
WHERE seen.sector = %(sector)s AND seen.dataset = %(dataset)s AND seen.source_key = %(source_key)s;
