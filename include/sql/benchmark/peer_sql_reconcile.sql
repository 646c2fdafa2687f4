-- Benchmark peer "hand-written SQL": the reconciliation a data engineer would write by hand, one
-- INSERT ... SELECT: the cards LEFT JOINed with the register on the normalised ID (a 9-digit
-- CMND through the register's former_cmnd when one person holds it), and one CASE per reason
-- code SQL can express. No mojibake repair, no ID suggestions, no JSON details.
-- Inputs: bench_peers.sql_cards, bench_peers.sql_register (moved from the source databases),
-- pg_temp.name_key / pg_temp.name_plain (peer_sql_tables.sql). Output: bench_peers.sql_mismatches.
INSERT INTO bench_peers.sql_mismatches (source_key, national_id, reasons)
WITH cards AS (
    SELECT
        btrim(source_key) AS source_key,
        regexp_replace(coalesce(national_id, ''), '[\s\u00a0.\-]', '', 'g') AS id_text,
        pg_temp.name_key(full_name) AS name_key,
        regexp_match(btrim(coalesce(birth_date, '')), '^(?:(?:([0-9]{1,2})/)?([0-9]{1,2})/)?([0-9]{4})$') AS dob,
        CASE btrim(coalesce(gender, '')) WHEN '1' THEN 'M' WHEN '2' THEN 'F' END AS gender,
        coalesce(is_active, false) AS is_active
    FROM bench_peers.sql_cards
),

typed AS (
    SELECT
        cards.*,
        pg_temp.name_plain(cards.name_key) AS name_plain,
        CASE
            WHEN cards.id_text = '' THEN 'missing'
            WHEN cards.id_text ~ '^[0-9]{12}$' AND left(cards.id_text, 3) = ANY (ARRAY[
                '001', '002', '004', '006', '008', '010', '011', '012', '014', '015', '017', '019', '020', '022',
                '024', '025', '026', '027', '030', '031', '033', '034', '035', '036', '037', '038', '040', '042',
                '044', '045', '046', '048', '049', '051', '052', '054', '056', '058', '060', '062', '064', '066',
                '067', '068', '070', '072', '074', '075', '077', '079', '080', '082', '083', '084', '086', '087',
                '089', '091', '092', '093', '094', '095', '096'
            ]) THEN 'cccd'
            WHEN cards.id_text ~ '^[0-9]{9}$' THEN 'cmnd'
            ELSE 'invalid'
        END AS id_kind,
        cards.dob[3]::int AS dob_year,
        cards.dob[2]::int AS dob_month,
        cards.dob[1]::int AS dob_day,
        CASE WHEN cards.dob[1] IS NOT NULL THEN 3 WHEN cards.dob[2] IS NOT NULL THEN 2 ELSE 1 END AS dob_rank
    FROM cards
),

dated AS (
    SELECT
        typed.*,
        CASE
            WHEN typed.dob_year BETWEEN 1900 AND extract(year FROM current_date)
                AND coalesce(typed.dob_month, 1) BETWEEN 1 AND 12
                AND coalesce(typed.dob_day, 1) BETWEEN 1 AND extract(
                    day FROM make_date(typed.dob_year, coalesce(typed.dob_month, 1), 1) + interval '1 month - 1 day'
                )
                AND make_date(typed.dob_year, coalesce(typed.dob_month, 1), coalesce(typed.dob_day, 1)) <= current_date
                THEN make_date(typed.dob_year, coalesce(typed.dob_month, 1), coalesce(typed.dob_day, 1))
        END AS birth_date
    FROM typed
),

register AS (
    SELECT
        btrim(national_id) AS national_id,
        pg_temp.name_key(full_name) AS name_key,
        pg_temp.name_plain(pg_temp.name_key(full_name)) AS name_plain,
        birth_date,
        CASE birth_date_precision WHEN 'day' THEN 3 WHEN 'month' THEN 2 ELSE 1 END AS dob_rank,
        gender,
        is_deceased
    FROM bench_peers.sql_register
),

cmnd_once AS (
    -- a former CMND held by exactly one register person
    SELECT btrim(former_cmnd) AS former_cmnd, min(btrim(national_id)) AS national_id
    FROM bench_peers.sql_register
    WHERE former_cmnd IS NOT NULL
    GROUP BY btrim(former_cmnd)
    HAVING count(*) = 1
),

joined AS (
    SELECT
        dated.*,
        ref.national_id AS ref_id,
        ref.name_key AS ref_name_key,
        ref.name_plain AS ref_name_plain,
        ref.birth_date AS ref_birth_date,
        ref.dob_rank AS ref_dob_rank,
        ref.gender AS ref_gender,
        ref.is_deceased AS ref_deceased,
        coalesce(
            ref.national_id, CASE WHEN dated.id_kind IN ('cccd', 'cmnd') THEN dated.id_text END
        ) AS resolved_id
    FROM dated
    LEFT JOIN cmnd_once ON dated.id_kind = 'cmnd' AND cmnd_once.former_cmnd = dated.id_text
    LEFT JOIN register AS ref
        ON ref.national_id = CASE WHEN dated.id_kind = 'cccd' THEN dated.id_text ELSE cmnd_once.national_id END
),

checked AS (
    SELECT
        joined.source_key,
        joined.resolved_id,
        array_remove(ARRAY[
            CASE WHEN joined.id_kind = 'missing' THEN 'MISSING_ID' END,
            CASE WHEN joined.id_kind = 'invalid' THEN 'INVALID_ID' END,
            CASE WHEN joined.id_kind = 'cmnd' THEN 'LEGACY_ID' END,
            CASE WHEN joined.id_kind IN ('cccd', 'cmnd') AND joined.ref_id IS NULL THEN 'NOT_IN_REFERENCE' END,
            CASE
                WHEN joined.resolved_id IS NOT NULL
                    AND count(*) OVER (PARTITION BY joined.resolved_id) > 1 THEN 'DUPLICATE_ID'
            END,
            CASE
                WHEN joined.ref_id IS NOT NULL AND joined.name_key <> joined.ref_name_key
                    AND joined.name_plain = joined.ref_name_plain THEN 'NAME_DIACRITICS'
            END,
            CASE
                WHEN joined.ref_id IS NOT NULL AND joined.name_key <> joined.ref_name_key
                    AND joined.name_plain <> joined.ref_name_plain THEN 'NAME_MISMATCH'
            END,
            CASE WHEN joined.birth_date IS NULL THEN 'DOB_INVALID' END,
            CASE
                WHEN joined.ref_id IS NOT NULL AND joined.birth_date IS NOT NULL AND NOT (
                    extract(year FROM joined.birth_date) = extract(year FROM joined.ref_birth_date)
                    AND (least(joined.dob_rank, joined.ref_dob_rank) < 2
                        OR extract(month FROM joined.birth_date) = extract(month FROM joined.ref_birth_date))
                    AND (least(joined.dob_rank, joined.ref_dob_rank) < 3
                        OR extract(day FROM joined.birth_date) = extract(day FROM joined.ref_birth_date))
                ) THEN 'DOB_MISMATCH'
            END,
            CASE
                WHEN joined.ref_id IS NOT NULL AND joined.birth_date IS NOT NULL
                    AND joined.dob_rank <> joined.ref_dob_rank
                    AND extract(year FROM joined.birth_date) = extract(year FROM joined.ref_birth_date)
                    AND (least(joined.dob_rank, joined.ref_dob_rank) < 2
                        OR extract(month FROM joined.birth_date) = extract(month FROM joined.ref_birth_date))
                    AND (least(joined.dob_rank, joined.ref_dob_rank) < 3
                        OR extract(day FROM joined.birth_date) = extract(day FROM joined.ref_birth_date))
                    THEN 'DOB_PARTIAL'
            END,
            CASE
                WHEN joined.gender IS NULL OR (joined.ref_id IS NOT NULL AND joined.gender <> joined.ref_gender)
                    THEN 'GENDER_MISMATCH'
            END,
            CASE WHEN joined.ref_id IS NOT NULL AND joined.is_active AND joined.ref_deceased THEN 'DECEASED' END
        ], NULL) AS reasons
    FROM joined
)

SELECT source_key, resolved_id, array_to_string(reasons, ',')
FROM checked
WHERE cardinality(reasons) > 0
