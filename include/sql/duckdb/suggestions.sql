-- Suggested IDs for the records that do not link (DuckDB). A lead, not a link: reasons are untouched.
-- Inputs: reconciled (reconcile.sql, with its rowid as the record's identity), register_all (the
--         whole register: national_id, name_key, birth_date, birth_date_precision, gender).
-- Output: one row per record with at least one candidate: the suggested ID when exactly one
--         register person fits, the method, the number of candidates and a confidence.
-- Rules: docs/reconciliation-rules.md, "Suggested IDs".
-- Candidates come from exact lookups only (the register's ID, or name key, gender and birth year):
-- at most 108 + 11 + 2 ID variants per record, never a pairwise comparison.
WITH unlinked AS MATERIALIZED (
    SELECT
        rowid AS record_id,
        national_id,
        id_kind,
        name_key,
        birth_date,
        birth_date_precision,
        gender
    FROM reconciled
    WHERE NOT is_linked AND len(reasons) > 0 AND birth_date_valid AND gender IS NOT NULL
),

twelve_digits AS (
    SELECT * FROM unlinked WHERE regexp_full_match(national_id, '[0-9]{12}')
),

variants AS (
    -- leading zeros lost: a 10- or 11-digit number padded on the left
    SELECT record_id, lpad(national_id, 12, '0') AS candidate_id, 1 AS rank
    FROM unlinked
    WHERE id_kind = 'invalid' AND regexp_full_match(national_id, '[0-9]{10,11}')
    UNION ALL
    -- letters typed for digits that look alike (same table as popsync.domain.id_suggestions)
    SELECT record_id, translate(national_id, 'OoQDIlLi|ZzSsGTBgq', '000011111225567899'), 2
    FROM unlinked
    WHERE id_kind = 'invalid' AND regexp_matches(national_id, '[^0-9]')
        AND regexp_full_match(translate(national_id, 'OoQDIlLi|ZzSsGTBgq', '000011111225567899'), '[0-9]{12}')
    UNION ALL
    -- two adjacent digits swapped
    SELECT
        record_id,
        substr(national_id, 1, p - 1) || substr(national_id, p + 1, 1) || substr(national_id, p, 1)
            || substr(national_id, p + 2),
        3
    FROM twelve_digits, range(1, 12) AS positions(p)
    WHERE substr(national_id, p, 1) <> substr(national_id, p + 1, 1)
    UNION ALL
    -- one digit mistyped
    SELECT
        record_id,
        substr(national_id, 1, p - 1) || d::VARCHAR || substr(national_id, p + 1),
        4
    FROM twelve_digits, range(1, 13) AS positions(p), range(0, 10) AS digits(d)
    WHERE substr(national_id, p, 1) <> d::VARCHAR
),

-- Blocking key of the name lookup: name key, gender and birth year (two valid dates that agree at
-- the coarser precision always share the year).
name_blocks AS (
    SELECT DISTINCT name_key, gender, year(birth_date) AS birth_year FROM unlinked
),

-- Only the register persons some record could be pointing at (semi-joins: one pass each).
by_id AS MATERIALIZED (
    SELECT national_id, name_key, birth_date, birth_date_precision, gender
    FROM register_all
    WHERE national_id IN (SELECT candidate_id FROM variants)
),

by_name AS MATERIALIZED (
    SELECT register_all.national_id, register_all.name_key, register_all.birth_date,
        register_all.birth_date_precision, register_all.gender
    FROM register_all
    SEMI JOIN name_blocks
        ON name_blocks.name_key = register_all.name_key
        AND name_blocks.gender = register_all.gender
        AND name_blocks.birth_year = year(register_all.birth_date)
),

id_fits AS (
    SELECT
        variants.record_id,
        by_id.national_id,
        min(variants.rank) AS rank
    FROM variants
    JOIN by_id ON by_id.national_id = variants.candidate_id
    JOIN unlinked ON unlinked.record_id = variants.record_id
    WHERE by_id.name_key = unlinked.name_key
        AND by_id.gender = unlinked.gender
        AND dates_agree(unlinked.birth_date, unlinked.birth_date_precision, by_id.birth_date, by_id.birth_date_precision)
    GROUP BY variants.record_id, by_id.national_id
),

name_fits AS (
    SELECT
        unlinked.record_id,
        by_name.national_id,
        5 AS rank
    FROM unlinked
    JOIN by_name
        ON by_name.name_key = unlinked.name_key
        AND by_name.gender = unlinked.gender
        AND year(by_name.birth_date) = year(unlinked.birth_date)
    WHERE dates_agree(unlinked.birth_date, unlinked.birth_date_precision, by_name.birth_date, by_name.birth_date_precision)
        AND unlinked.record_id NOT IN (SELECT record_id FROM id_fits)
),

fits AS (
    SELECT * FROM id_fits
    UNION ALL
    SELECT * FROM name_fits
),

per_record AS (
    SELECT
        record_id,
        count(*) AS candidates,
        min(rank) AS rank,
        CASE WHEN count(*) = 1 THEN any_value(national_id) END AS suggested_national_id
    FROM fits
    GROUP BY record_id
)

SELECT
    per_record.record_id,
    per_record.suggested_national_id,
    ['id_leading_zero', 'id_letter_digit', 'id_transposition', 'id_typo', 'name_birth_gender'][per_record.rank]
        AS method,
    per_record.candidates,
    CASE
        WHEN per_record.candidates > 1 THEN 0.0
        WHEN per_record.rank = 5 AND unlinked.birth_date_precision <> 'day' THEN 0.6
        ELSE [0.99, 0.98, 0.95, 0.95, 0.85][per_record.rank]
    END AS confidence
FROM per_record
JOIN unlinked ON unlinked.record_id = per_record.record_id
