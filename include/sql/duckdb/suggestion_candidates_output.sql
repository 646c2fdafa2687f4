-- Candidate lists shaped like sync.suggestion_candidates (DuckDB): at most five per record.
-- sector, dataset, run_id and logical_date are defaults of the run's result table.
-- Inputs: suggestion_candidates (suggestions.sql), reconciled (the record's source key).
SELECT
    reconciled.source_key,
    candidates.candidate_national_id,
    candidates.rank::INTEGER AS rank,
    candidates.method,
    candidates.confidence::DECIMAL(4, 3) AS confidence,
    candidates.suggested,
    to_json({
        'method': candidates.method,
        'name_agreement': candidates.name_agreement,
        'record_precision': candidates.record_precision,
        'register_precision': candidates.register_precision,
        'compared_precision': candidates.compared_precision,
        'block_size': candidates.block_size,
        'linked_elsewhere': candidates.linked_elsewhere,
        'id_contradicts': CASE WHEN candidates.method_rank = 5 THEN candidates.id_contradicts END,
        'id_province': candidates.id_province,
        'id_century_gender': candidates.id_century_gender,
        'id_birth_year': candidates.id_birth_year,
        'former_cmnd': candidates.former_cmnd,
        'residence_province': candidates.residence_province,
        'separated_by': CASE WHEN candidates.chosen_by <> 'one plausible candidate' THEN candidates.chosen_by END
    })::VARCHAR AS evidence
FROM suggestion_candidates AS candidates
JOIN reconciled ON reconciled.rowid = candidates.record_id
WHERE candidates.rank <= 5
