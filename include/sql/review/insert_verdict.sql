-- Record a verdict on an open mismatch (the history keeps every verdict given).
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s, %(verdict)s, %(actor)s text; %(comment)s text or
-- NULL; %(reasons)s text[] and %(first_seen)s timestamptz — the mismatch as it stands.
-- Returns the verdict's id and when it was recorded.
INSERT INTO sync.mismatch_verdicts AS verdicts
    (sector, dataset, source_key, verdict, actor, comment, reasons, first_seen)
VALUES
    (%(sector)s, %(dataset)s, %(source_key)s, %(verdict)s, %(actor)s, %(comment)s, %(reasons)s, %(first_seen)s)
RETURNING verdicts.verdict_id, verdicts.recorded_at;
