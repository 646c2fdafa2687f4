-- Every verdict given on a record, oldest first.
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
SELECT verdicts.sector, verdicts.dataset, verdicts.source_key, verdicts.verdict, verdicts.actor, verdicts.comment,
    verdicts.recorded_at, verdicts.verdict_id
FROM sync.mismatch_verdicts AS verdicts
WHERE verdicts.sector = %(sector)s AND verdicts.dataset = %(dataset)s AND verdicts.source_key = %(source_key)s
ORDER BY verdicts.verdict_id;
