-- Mismatched records, shaped like sync.mismatches, with field-level details (DuckDB).
-- sector, dataset, run_id and logical_date are defaults of the run's result table.
-- Details are built for mismatched records only: one key per differing field.
-- suggestions (suggestions.sql) holds the suggested IDs of records that do not link.
WITH mismatched AS (
    SELECT
        reconciled.*,
        suggestions.suggested_national_id,
        suggestions.method AS suggestion_method,
        suggestions.candidates AS suggestion_candidates,
        suggestions.confidence AS suggestion_confidence
    FROM reconciled
    LEFT JOIN suggestions ON suggestions.record_id = reconciled.rowid
    WHERE len(reconciled.reasons) > 0
)

SELECT
    source_key,
    CASE WHEN id_kind <> 'missing' THEN national_id END AS national_id,
    linked_national_id,
    province_code,
    reasons,
    to_json(map_from_entries(list_filter([
        CASE WHEN id_kind IN ('missing', 'invalid', 'cmnd') OR NOT is_linked THEN {
            'key': 'national_id',
            'value': to_json({
                'sector': national_id,
                'register': linked_national_id,
                'kind': id_kind,
                'problem': id_problem,
                'id_gender': id_digits.id_gender,
                'id_birth_year': id_digits.id_birth_year,
                'record_gender': gender,
                'record_birth_year': CASE WHEN birth_date_valid THEN year(birth_date) END,
                'likely_typo': CASE WHEN id_digits IS NOT NULL THEN
                    coalesce(gender <> id_digits.id_gender, false)
                    OR coalesce(birth_date_valid AND year(birth_date) <> id_digits.id_birth_year, false)
                END
            })
        } END,
        CASE WHEN records_sharing > 1 THEN {
            'key': 'duplicate', 'value': to_json({'resolved_id': resolved_id, 'count': records_sharing})
        } END,
        CASE WHEN name_reason IS NOT NULL THEN {
            'key': 'full_name', 'value': to_json({'sector': full_name, 'register': register_name})
        } END,
        CASE WHEN birth_date_reason IS NOT NULL THEN {
            'key': 'birth_date', 'value': to_json({
                'sector': birth_date_raw,
                'sector_precision': birth_date_precision,
                'register': register_birth_date,
                'register_precision': register_birth_date_precision
            })
        } END,
        CASE WHEN gender_reason IS NOT NULL THEN {
            'key': 'gender', 'value': to_json({'sector': gender_raw, 'mapped': gender, 'register': register_gender})
        } END,
        CASE WHEN deceased_reason IS NOT NULL THEN {
            'key': 'deceased', 'value': to_json({'sector_active': is_active, 'date_of_death': date_of_death})
        } END,
        CASE WHEN death_reason = 'DEATH_NOT_IN_REGISTER' THEN {
            'key': 'death', 'value': to_json({'sector': death_date, 'register': 'alive'})
        } END,
        CASE WHEN death_reason = 'DEATH_DATE_MISMATCH' THEN {
            'key': 'date_of_death', 'value': to_json({'sector': death_date, 'register': date_of_death})
        } END,
        CASE WHEN suggestion_method IS NOT NULL THEN {
            'key': 'suggestion', 'value': to_json({
                'method': suggestion_method,
                'candidates': suggestion_candidates,
                'confidence': suggestion_confidence
            })
        } END
    ], lambda entry: entry IS NOT NULL)))::VARCHAR AS details,
    first_seen::TIMESTAMPTZ AS first_seen,
    suggested_national_id
FROM mismatched
