-- Feedback rows written to an export file: exported now, with the file's path.
-- Inputs: %(export_file)s text; %(feedback_ids)s bigint[].
UPDATE sync.register_feedback AS feedback SET
    status = 'exported',
    exported_at = now(),
    export_file = %(export_file)s
WHERE feedback.feedback_id = ANY(%(feedback_ids)s);
