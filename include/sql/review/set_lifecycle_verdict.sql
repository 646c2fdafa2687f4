-- The verdict just recorded becomes the record's current verdict (not flagged, not closed).
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s, %(verdict)s, %(actor)s text; %(comment)s text or
-- NULL; %(recorded_at)s timestamptz.
UPDATE sync.mismatch_lifecycle AS lifecycle SET
    verdict = %(verdict)s,
    verdict_by = %(actor)s,
    verdict_at = %(recorded_at)s,
    verdict_comment = %(comment)s,
    verdict_flagged = false,
    verdict_closed_at = NULL
WHERE lifecycle.sector = %(sector)s AND lifecycle.dataset = %(dataset)s AND lifecycle.source_key = %(source_key)s;
