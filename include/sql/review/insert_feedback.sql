-- A register_wrong verdict becomes a row of feedback for the register authority.
-- Parameters: verdict_id, sector, dataset, source_key, comment, actor, recorded_at.
-- Reads the published mismatch's details: per field the sector's and the register's value.
WITH mismatch AS (
    SELECT national_id, linked_national_id, reasons, details
    FROM sync.mismatches
    WHERE sector = %(sector)s AND dataset = %(dataset)s AND source_key = %(source_key)s
    LIMIT 1
),

fields AS (
    SELECT field.key, field.value
    FROM mismatch, jsonb_each(mismatch.details) AS field
),

register_side AS (
    SELECT coalesce(
        jsonb_object_agg(key, CASE WHEN value ? 'register' THEN value -> 'register' ELSE value END),
        '{}'::jsonb
    ) AS register_values
    FROM fields
    WHERE value ? 'register' OR NOT value ? 'sector'
),

sector_side AS (
    SELECT coalesce(jsonb_object_agg(key, value -> 'sector'), '{}'::jsonb) AS sector_values
    FROM fields
    WHERE value ? 'sector'
)

INSERT INTO sync.register_feedback (
    verdict_id, sector, dataset, source_key, national_id, reasons, register_values, sector_values,
    comment, actor, recorded_at
)
SELECT
    %(verdict_id)s, %(sector)s, %(dataset)s, %(source_key)s,
    coalesce(mismatch.linked_national_id, mismatch.national_id), mismatch.reasons,
    register_side.register_values, sector_side.sector_values,
    %(comment)s, %(actor)s, %(recorded_at)s
FROM mismatch, register_side, sector_side
RETURNING feedback_id
