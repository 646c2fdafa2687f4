-- Lifecycle counts of the run applied at a logical date, derived from the stored rows
-- (so a re-run of the date reports the same counts).
-- Parameters: sector, dataset, logical_date.
WITH dataset_rows AS (
    SELECT status, prior_status, applied_date = %(logical_date)s AS applied_now
    FROM sync.mismatch_lifecycle
    WHERE sector = %(sector)s AND dataset = %(dataset)s
)

SELECT
    count(*) FILTER (WHERE applied_now AND prior_status IS NULL) AS new_mismatches,
    count(*) FILTER (WHERE applied_now AND prior_status = 'open' AND status = 'resolved') AS resolved_mismatches,
    count(*) FILTER (WHERE applied_now AND prior_status = 'resolved' AND status = 'open') AS reopened_mismatches,
    count(*) FILTER (WHERE status = 'open') AS open_mismatches
FROM dataset_rows
