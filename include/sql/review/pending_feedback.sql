-- Feedback rows not yet sent to the register authority, oldest first, locked for this export.
-- Parameters: none.
WITH pending AS (
    SELECT
        feedback_id, sector, dataset, source_key, national_id, reasons, register_values, sector_values,
        comment, actor, recorded_at
    FROM sync.register_feedback
    WHERE status = 'pending'
    ORDER BY feedback_id
    FOR UPDATE
)

SELECT * FROM pending
