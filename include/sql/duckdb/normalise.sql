-- Normalise one dataset's raw extract (DuckDB).
-- Inputs: raw_extract, gender_mapping(raw_value, gender), province_codes(code); raw_extract may
-- carry row_hash (computed by a PostgreSQL source: sources/postgres.py), passed through.
-- Parameters: $date_formats (VARCHAR[]), $logical_date (DATE).
-- White space of every Unicode kind (Python's str.isspace set): '[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}]'.
-- Invisible characters: Unicode format characters (\p{Cf}: zero-width space and joiners, BOM,
-- soft hyphen, direction marks).
WITH raw_rows AS (
    SELECT * FROM raw_extract
),

plain AS (
    -- Values that no rule below changes (most of them) skip the regular expressions: digits only
    -- for IDs, digits and separators for birth dates, letters and digits for genders.
    SELECT
        raw_rows.*,
        regexp_full_match(raw_rows.national_id, '[0-9]+') AS id_plain,
        regexp_full_match(raw_rows.birth_date, '[0-9/-]+') AS dob_plain,
        regexp_full_match(raw_rows.gender, '[\p{L}\p{N}]+') AS gender_plain
    FROM raw_rows
),

visible AS (
    -- ID, birth date and gender without invisible characters, trimmed of white space
    SELECT
        plain.*,
        CASE WHEN id_plain THEN national_id ELSE
            regexp_replace(regexp_replace(national_id, '\p{Cf}', '', 'g'),
                '^[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}]+|[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}]+$', '', 'g')
        END AS id_visible,
        CASE WHEN dob_plain THEN birth_date ELSE
            regexp_replace(regexp_replace(birth_date, '\p{Cf}', '', 'g'),
                '^[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}]+|[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}]+$', '', 'g')
        END AS dob_visible,
        CASE WHEN gender_plain THEN gender ELSE
            regexp_replace(regexp_replace(gender, '\p{Cf}', '', 'g'),
                '^[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}]+|[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}]+$', '', 'g')
        END AS gender_visible
    FROM plain
),

unwrapped AS (
    -- Excel text markers: a formula ="..." or one leading apostrophe around the value
    SELECT
        visible.*,
        CASE WHEN id_plain THEN id_visible ELSE
            regexp_replace(regexp_replace(id_visible, '^="(.*)"$', '\1'), '^\x27', '')
        END AS id_unwrapped,
        CASE WHEN dob_plain THEN dob_visible ELSE
            trim(regexp_replace(regexp_replace(dob_visible, '^="(.*)"$', '\1'), '^\x27', ''))
        END AS dob_unwrapped,
        CASE WHEN gender_plain THEN gender_visible ELSE
            trim(regexp_replace(regexp_replace(gender_visible, '^="(.*)"$', '\1'), '^\x27', ''))
        END AS gender_unwrapped
    FROM visible
),

id_digits AS (
    -- full-width digits as ASCII; a float's fraction of zeros dropped (digits, ONE dot, zeros only:
    -- "001085012345.0"); then white space, dots and dashes removed. Only a value with one dot can be a
    -- float: "037.083.125.000" is four digit groups, its last group "000" is part of the ID.
    SELECT
        unwrapped.*,
        CASE WHEN id_plain THEN id_unwrapped ELSE
            regexp_replace(
                regexp_replace(
                    translate(coalesce(unwrapped.id_unwrapped, ''), '０１２３４５６７８９', '0123456789'),
                    '^([0-9]+)\.0+$', '\1'
                ),
                '[\t\n\x0B\f\r\x1C-\x1F\x85\p{Z}.\p{Pd}\x{2212}]', '', 'g'
            )
        END AS id_text
    FROM unwrapped
),

ids AS (
    SELECT
        id_digits.*,
        province_codes.code IS NOT NULL AS known_province,
        coalesce(id_plain, false) OR regexp_full_match(id_digits.id_text, '[0-9]+') AS all_digits
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
        -- a date exported with a midnight time of day ("01/02/1990 00:00:00") is that date
        CASE WHEN dob_plain THEN dob_unwrapped
            ELSE regexp_replace(coalesce(id_kinds.dob_unwrapped, ''), '[ T]00:00(:00(\.0+)?)?$', '')
        END AS dob_text
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
    LEFT JOIN gender_mapping ON gender_mapping.raw_value = lower(nfc_normalize(parsed_dates.gender_unwrapped))
),

names AS (
    -- each distinct name is keyed and checked once: records share names (about four per name)
    SELECT
        full_name,
        name_key(full_name) AS name_key,
        coalesce(looks_garbled(full_name), false) AS name_garbled
    FROM (SELECT DISTINCT full_name FROM raw_rows WHERE full_name IS NOT NULL) AS distinct_names
)

SELECT
    genders.source_key,
    genders.id_text AS national_id,
    genders.id_kind,
    genders.id_problem,
    genders.full_name,
    names.name_key,
    coalesce(names.name_garbled, false) AS name_garbled,
    genders.birth_date AS birth_date_raw,
    genders.dob.value AS birth_date,
    genders.dob.precision AS birth_date_precision,
    coalesce(genders.dob.value >= DATE '1900-01-01' AND genders.dob.value <= $logical_date, false) AS birth_date_valid,
    genders.gender AS gender_raw,
    genders.gender_code AS gender,
    genders.is_active,
    genders.updated_at,
    -- a death registration's date of death (text from every source: YYYY-MM-DD); unreadable is NULL
    try_cast(genders.death_date AS DATE) AS death_date
    -- the placeholder below: the row hash, when the source computed it (pipeline/normalise.py)
    __source_row_hash__
FROM genders
LEFT JOIN names ON names.full_name = genders.full_name
