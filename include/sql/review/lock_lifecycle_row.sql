-- A record's lifecycle row, locked for a verdict (no row: the record never was mismatched).
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
SELECT lifecycle.status, lifecycle.current_reasons, lifecycle.first_seen, lifecycle.verdict
FROM sync.mismatch_lifecycle AS lifecycle
WHERE lifecycle.sector = %(sector)s AND lifecycle.dataset = %(dataset)s AND lifecycle.source_key = %(source_key)s
FOR UPDATE;
