-- Mismatched records, shaped like sync.mismatches, with field-level details (DuckDB).
-- sector, dataset, run_id and logical_date are defaults of the run's result table.
-- Details are built for mismatched records only: one key per differing field.
-- suggestions (suggestions_per_record.sql) holds the suggested IDs of records that do not link.
WITH mismatched AS (
    SELECT
        reconciled.*,
        suggestions.suggested_national_id,
        suggestions.method AS suggestion_method,
        suggestions.candidates AS suggestion_candidates,
        suggestions.confidence AS suggestion_confidence,
        suggestions.rule AS suggestion_rule,
        suggestions.separated_by AS suggestion_separated_by,
        suggestions.compared AS suggestion_compared
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
                'rule': CASE
                    WHEN id_kind = 'missing' THEN 'MISSING_ID: the record has no ID'
                    WHEN id_kind = 'invalid' THEN 'INVALID_ID: ' || CASE id_problem
                        WHEN 'non_digit' THEN 'characters other than digits after cleaning'
                        WHEN 'length' THEN 'neither 9 nor 12 digits after cleaning'
                        ELSE 'the first three of its 12 digits are no province code' END
                    WHEN id_kind = 'cmnd' AND is_linked THEN 'LEGACY_ID: a 9-digit CMND, the former CMND of exactly one register person'
                    WHEN id_kind = 'cmnd' THEN 'LEGACY_ID, NOT_IN_REFERENCE: a 9-digit CMND that is the former CMND of no register person or of several'
                    ELSE 'NOT_IN_REFERENCE: no register person has this 12-digit ID'
                END,
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
            'key': 'duplicate', 'value': to_json({
                'resolved_id': resolved_id,
                'count': records_sharing,
                'rule': 'DUPLICATE_ID: ' || records_sharing || ' records of the dataset share the resolved ID'
            })
        } END,
        CASE WHEN name_reason IS NOT NULL THEN {
            'key': 'full_name', 'value': to_json({
                'sector': full_name,
                'register': register_name,
                'rule': CASE name_reason
                    WHEN 'NAME_ENCODING' THEN 'NAME_ENCODING: name keys differ; an encoding repair of the name has the register name''s key'
                    WHEN 'NAME_DIACRITICS' THEN 'NAME_DIACRITICS: name keys differ; the names without diacritics are equal'
                    ELSE 'NAME_MISMATCH: name keys differ; neither an encoding repair nor removing diacritics makes them equal'
                END
            })
        } END,
        CASE WHEN birth_date_reason IS NOT NULL THEN {
            'key': 'birth_date', 'value': to_json({
                'sector': birth_date_raw,
                'sector_precision': birth_date_precision,
                'register': register_birth_date,
                'register_precision': register_birth_date_precision,
                'rule': CASE birth_date_reason
                    WHEN 'DOB_INVALID' THEN 'DOB_INVALID: no declared format matches, or the date is impossible, before 1900 or after the run''s date'
                    WHEN 'DOB_PARTIAL' THEN 'DOB_PARTIAL: precisions differ; the dates agree at the coarser precision ('
                        || coarser_precision(birth_date_precision, register_birth_date_precision) || ')'
                    WHEN 'DOB_MISMATCH' THEN CASE WHEN register_birth_date IS NULL
                        THEN 'DOB_MISMATCH: the register has no birth date'
                        ELSE 'DOB_MISMATCH: the dates differ at the coarser precision ('
                            || coarser_precision(birth_date_precision, register_birth_date_precision) || ')' END
                END
            })
        } END,
        CASE WHEN gender_reason IS NOT NULL THEN {
            'key': 'gender', 'value': to_json({
                'sector': gender_raw,
                'mapped': gender,
                'register': register_gender,
                'rule': CASE WHEN gender IS NULL
                    THEN 'GENDER_MISMATCH: the value is not in the dataset''s gender mapping'
                    ELSE 'GENDER_MISMATCH: the mapped gender differs from the register''s' END
            })
        } END,
        CASE WHEN deceased_reason IS NOT NULL THEN {
            'key': 'deceased', 'value': to_json({
                'sector_active': is_active,
                'date_of_death': date_of_death,
                'rule': 'DECEASED: the record is in force and the register marks the person deceased'
            })
        } END,
        CASE WHEN death_reason = 'DEATH_NOT_IN_REGISTER' THEN {
            'key': 'death', 'value': to_json({
                'sector': death_date,
                'register': 'alive',
                'rule': 'DEATH_NOT_IN_REGISTER: a registered death of a person the register shows alive'
            })
        } END,
        CASE WHEN death_reason = 'DEATH_DATE_MISMATCH' THEN {
            'key': 'date_of_death', 'value': to_json({
                'sector': death_date,
                'register': date_of_death,
                'rule': 'DEATH_DATE_MISMATCH: the registered date of death differs from the register''s'
            })
        } END,
        CASE WHEN suggestion_method IS NOT NULL THEN {
            'key': 'suggestion', 'value': to_json({
                'method': suggestion_method,
                'candidates': suggestion_candidates,
                'confidence': suggestion_confidence,
                'rule': suggestion_rule,
                'separated_by': suggestion_separated_by,
                'compared': suggestion_compared
            })
        } END
    ], lambda entry: entry IS NOT NULL)))::VARCHAR AS details,
    first_seen::TIMESTAMPTZ AS first_seen,
    suggested_national_id
FROM mismatched
