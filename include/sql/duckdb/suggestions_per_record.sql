-- One row per record with at least one candidate (DuckDB): the single suggested ID, if any, and
-- why (details.suggestion). Input: suggestion_candidates (suggestions.sql).
-- Rules: docs/reconciliation-rules.md, "Suggested IDs".
WITH per_record AS (
    SELECT
        record_id,
        any_value(candidate_national_id) FILTER (WHERE suggested) AS suggested_national_id,
        -- the suggested candidate's method, else the most specific method that found a candidate
        coalesce(any_value(method) FILTER (WHERE suggested), arg_min(method, method_rank)) AS method,
        any_value(candidates) AS candidates,
        any_value(plausible) AS plausible,
        coalesce(any_value(confidence) FILTER (WHERE suggested), 0.0) AS confidence,
        any_value(chosen_by) FILTER (WHERE suggested) AS chosen_by,
        bool_or(chosen_by IS NOT NULL) AS one_chosen,
        bool_or(id_contradicts) AS any_contradicted
    FROM suggestion_candidates
    GROUP BY record_id
),

best AS (
    SELECT * FROM suggestion_candidates WHERE rank = 1
)

SELECT
    per_record.record_id,
    per_record.suggested_national_id,
    per_record.method,
    per_record.candidates,
    per_record.confidence,
    CASE
        WHEN per_record.suggested_national_id IS NOT NULL AND per_record.chosen_by = 'one plausible candidate'
            THEN 'one plausible candidate'
        WHEN per_record.suggested_national_id IS NOT NULL THEN 'separated by ' || per_record.chosen_by
        WHEN per_record.plausible = 0 AND per_record.any_contradicted THEN 'record ID contradicts every candidate'
        WHEN per_record.plausible = 0 THEN 'only candidate linked elsewhere'
        WHEN per_record.one_chosen THEN 'confidence below 0.5'
        ELSE 'several plausible candidates'
    END AS rule,
    CASE WHEN per_record.chosen_by <> 'one plausible candidate' THEN per_record.chosen_by END AS separated_by,
    {
        'candidate': best.candidate_national_id,
        'name_key_equal': best.name_agreement = 'as_written',
        'name_agreement': best.name_agreement,
        'gender': best.gender,
        'record_birth_date': best.record_birth_date,
        'record_precision': best.record_precision,
        'register_birth_date': best.register_birth_date,
        'register_precision': best.register_precision,
        'compared_precision': best.compared_precision
    } AS compared
FROM per_record
JOIN best ON best.record_id = per_record.record_id
