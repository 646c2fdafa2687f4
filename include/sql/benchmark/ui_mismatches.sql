-- Synthetic published mismatches for the web UI benchmark (never used by the pipeline).
-- Inputs: {table} — the partition to fill; %(rows)s bigint; %(sector)s, %(dataset)s, %(run_id)s text;
--         %(logical_date)s timestamptz; %(provinces)s text[] — province codes.
WITH numbered AS (
    SELECT
        n,
        (%(provinces)s::text[])[1 + (n %% cardinality(%(provinces)s::text[]))] AS province,
        n %% 20 AS family
    FROM generate_series(1, %(rows)s::bigint) AS n
),

shaped AS (
    SELECT
        numbered.*,
        numbered.province || lpad(((numbered.n * 7919) %% 1000000000)::text, 9, '0') AS id_number,
        CASE numbered.family
            WHEN 0 THEN ARRAY['MISSING_ID']
            WHEN 1 THEN ARRAY['INVALID_ID']
            WHEN 2 THEN ARRAY['LEGACY_ID']
            WHEN 3 THEN ARRAY['NOT_IN_REFERENCE']
            WHEN 4 THEN ARRAY['DUPLICATE_ID']
            WHEN 5 THEN ARRAY['NAME_MISMATCH']
            WHEN 6 THEN ARRAY['DUPLICATE_ID', 'NAME_MISMATCH']
            WHEN 7 THEN ARRAY['NAME_ENCODING']
            WHEN 8 THEN ARRAY['DOB_MISMATCH']
            WHEN 9 THEN ARRAY['DOB_INVALID']
            WHEN 10 THEN ARRAY['GENDER_MISMATCH']
            WHEN 11 THEN ARRAY['DECEASED']
            WHEN 12 THEN ARRAY['DOB_PARTIAL', 'NAME_DIACRITICS']
            ELSE ARRAY['NAME_DIACRITICS']
        END AS reasons
    FROM numbered
)

INSERT INTO {table} (
    sector, dataset, source_key, national_id, linked_national_id, province_code, reasons, details,
    first_seen, run_id, logical_date
)
SELECT
    %(sector)s,
    %(dataset)s,
    'HS4' || lpad(shaped.n::text, 12, '0'),
    CASE WHEN shaped.family = 0 THEN NULL ELSE shaped.id_number END,
    CASE WHEN shaped.family IN (0, 1, 3) THEN NULL ELSE shaped.id_number END,
    CASE WHEN shaped.family = 0 THEN NULL ELSE shaped.province END,
    shaped.reasons,
    CASE
        WHEN shaped.family IN (5, 6, 12, 13) THEN
            jsonb_build_object('full_name', jsonb_build_object('sector', 'Nguyen Van Hoa', 'register', 'Nguyễn Văn Hòa'))
        ELSE jsonb_build_object()
    END,
    %(logical_date)s::timestamptz - make_interval(days => (shaped.n %% 120)::int),
    %(run_id)s,
    %(logical_date)s::timestamptz
FROM shaped;
