-- The candidate list of one mismatched record that does not link, best first (at most five).
-- Inputs: %(sector)s, %(dataset)s, %(source_key)s text.
SELECT
    c.rank,
    c.candidate_national_id,
    c.method,
    c.confidence,
    c.suggested,
    c.evidence
FROM sync.suggestion_candidates AS c
WHERE c.sector = %(sector)s AND c.dataset = %(dataset)s AND c.source_key = %(source_key)s
ORDER BY c.rank;
