-- Registered deaths of persons the register shows alive become feedback for the register authority.
-- Inputs: the dataset's published sync.mismatches with DEATH_NOT_IN_REGISTER.
-- Parameters: sector, dataset, actor. One row per record and first_seen (a mismatch already sent
-- is not sent again; it comes back only when it reappears after being resolved).
WITH alive_in_register AS (
    SELECT source_key, linked_national_id, reasons, details, first_seen
    FROM sync.mismatches
    WHERE sector = %(sector)s AND dataset = %(dataset)s AND 'DEATH_NOT_IN_REGISTER' = ANY(reasons)
)

INSERT INTO sync.register_feedback (
    verdict_id, origin, first_seen, sector, dataset, source_key, national_id, reasons,
    register_values, sector_values, comment, actor, recorded_at
)
SELECT
    NULL, 'death_registration', alive.first_seen, %(sector)s, %(dataset)s, alive.source_key,
    alive.linked_national_id, alive.reasons,
    jsonb_build_object('death', alive.details -> 'death' -> 'register'),
    jsonb_build_object('death', alive.details -> 'death' -> 'sector'),
    'registered death; the register shows the person alive', %(actor)s, now()
FROM alive_in_register AS alive
ON CONFLICT (sector, dataset, source_key, first_seen) WHERE origin = 'death_registration' DO NOTHING
RETURNING feedback_id
