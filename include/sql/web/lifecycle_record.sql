-- The lifecycle row of one record (review tables present), as JSON to stay tolerant of added columns;
-- from the view that gives an open mismatch's last_seen as the latest run that found it.
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
SELECT to_jsonb(lc) AS lifecycle
FROM sync.mismatch_lifecycle_seen AS lc
WHERE lc.sector = %(sector)s AND lc.dataset = %(dataset)s AND lc.source_key = %(source_key)s;
