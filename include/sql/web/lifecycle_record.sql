-- The lifecycle row of one record (review tables present), as JSON to stay tolerant of added columns.
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
SELECT to_jsonb(lc) AS lifecycle
FROM sync.mismatch_lifecycle AS lc
WHERE lc.sector = %(sector)s AND lc.dataset = %(dataset)s AND lc.source_key = %(source_key)s;
