-- Normalise one dataset's raw extract (DuckDB).
-- Inputs: raw_extract, gender_mapping(raw_value, gender), province_codes(code).
-- Parameters: $date_formats (VARCHAR[]), $logical_date (DATE).
WITH raw_rows AS (
    SELECT * FROM raw_extract
),

id_digits AS (
    SELECT
        raw_rows.*,
        regexp_replace(coalesce(raw_rows.national_id, ''), '[\s\x{00A0}.\-]', '', 'g') AS id_text
    FROM raw_rows
),

ids AS (
    SELECT
        id_digits.*,
        province_codes.code IS NOT NULL AS known_province,
        regexp_full_match(id_digits.id_text, '[0-9]+') AS all_digits
    FROM id_digits
    LEFT JOIN province_codes ON province_codes.code = substr(id_digits.id_text, 1, 3)
),

id_kinds AS (
    SELECT
        ids.*,
        CASE
            WHEN id_text = '' THEN 'missing'
            WHEN all_digits AND length(id_text) = 12 AND known_province THEN 'cccd'
            WHEN all_digits AND length(id_text) = 9 THEN 'cmnd'
            ELSE 'invalid'
        END AS id_kind,
        CASE
            WHEN id_text = '' THEN NULL
            WHEN NOT all_digits THEN 'non_digit'
            WHEN length(id_text) NOT IN (9, 12) THEN 'length'
            WHEN length(id_text) = 12 AND NOT known_province THEN 'unknown_province'
        END AS id_problem
    FROM ids
),

birth_dates AS (
    SELECT
        id_kinds.*,
        trim(coalesce(id_kinds.birth_date, '')) AS dob_text
    FROM id_kinds
),

parsed_dates AS (
    SELECT
        birth_dates.*,
        CASE
            WHEN list_contains($date_formats, 'dd/mm/yyyy') AND regexp_full_match(dob_text, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}')
                THEN {'value': try_strptime(dob_text, '%d/%m/%Y')::DATE, 'precision': 'day'}
            WHEN list_contains($date_formats, 'yyyy-mm-dd') AND regexp_full_match(dob_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
                THEN {'value': try_strptime(dob_text, '%Y-%m-%d')::DATE, 'precision': 'day'}
            WHEN list_contains($date_formats, 'yyyy0000') AND regexp_full_match(dob_text, '[0-9]{4}0000')
                THEN {'value': try_strptime(substr(dob_text, 1, 4) || '0101', '%Y%m%d')::DATE, 'precision': 'year'}
            WHEN list_contains($date_formats, 'yyyymm00') AND regexp_full_match(dob_text, '[0-9]{6}00')
                THEN {'value': try_strptime(substr(dob_text, 1, 6) || '01', '%Y%m%d')::DATE, 'precision': 'month'}
            WHEN list_contains($date_formats, 'yyyymmdd') AND regexp_full_match(dob_text, '[0-9]{8}')
                THEN {'value': try_strptime(dob_text, '%Y%m%d')::DATE, 'precision': 'day'}
            WHEN list_contains($date_formats, 'mm/yyyy') AND regexp_full_match(dob_text, '[0-9]{1,2}/[0-9]{4}')
                THEN {'value': try_strptime('01/' || dob_text, '%d/%m/%Y')::DATE, 'precision': 'month'}
            WHEN list_contains($date_formats, 'yyyy') AND regexp_full_match(dob_text, '[0-9]{4}')
                THEN {'value': try_strptime(dob_text || '0101', '%Y%m%d')::DATE, 'precision': 'year'}
        END AS dob
    FROM birth_dates
),

genders AS (
    SELECT
        parsed_dates.*,
        gender_mapping.gender AS gender_code
    FROM parsed_dates
    LEFT JOIN gender_mapping ON gender_mapping.raw_value = lower(trim(nfc_normalize(parsed_dates.gender)))
)

SELECT
    source_key,
    id_text AS national_id,
    id_kind,
    id_problem,
    full_name,
    name_key(full_name) AS name_key,
    coalesce(looks_garbled(full_name), false) AS name_garbled,
    birth_date AS birth_date_raw,
    dob.value AS birth_date,
    dob.precision AS birth_date_precision,
    coalesce(dob.value >= DATE '1900-01-01' AND dob.value <= $logical_date, false) AS birth_date_valid,
    gender AS gender_raw,
    gender_code AS gender,
    is_active,
    updated_at
FROM genders
