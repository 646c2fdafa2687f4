-- Classify every normalised record against the register in one pass (DuckDB).
-- Inputs: normalised (normalise.sql), register (linkable persons of the register mirror, with
--         their name_key), legacy_ids (legacy_ids.sql: the former CMNDs held by exactly one
--         register person, judged over the whole register), previous_mismatches(source_key, first_seen).
-- Parameters: $checks_deceased (BOOLEAN), $checks_death (BOOLEAN: the dataset maps death_date,
--             a death registration), $logical_date (TIMESTAMPTZ).
-- Output: one row per record with its sorted reasons; mismatches_output.sql describes them.
-- Rules: docs/reconciliation-rules.md.
WITH records AS (
    SELECT * FROM normalised
),

resolved AS (
    SELECT
        records.*,
        CASE records.id_kind
            WHEN 'cccd' THEN records.national_id
            WHEN 'cmnd' THEN legacy_ids.national_id
        END AS candidate_id
    FROM records
    LEFT JOIN legacy_ids
        ON records.id_kind = 'cmnd' AND legacy_ids.former_cmnd = records.national_id
),

linked AS MATERIALIZED (
    -- read three times (the groups, the encoding repairs, the comparison): materialised, the join
    -- with the register runs once. Inlined, it ran three times: the statement took 4.44 s against
    -- 3.16 at 1M records, and at 3.47M in one bucket (a 306 MiB share) 25.9-29.2 s against
    -- 17.9-21.5, where it also ran out of memory through the scheduler
    -- (benchmarks/results/classify-statement-round14.md; the repairs below changed with it)
    SELECT
        resolved.*,
        register.national_id AS linked_national_id,
        register.full_name AS register_name,
        register.name_key AS register_name_key,
        register.birth_date AS register_birth_date,
        register.birth_date_precision AS register_birth_date_precision,
        register.gender AS register_gender,
        register.residence_province,
        register.is_deceased,
        register.date_of_death,
        CASE
            WHEN register.national_id IS NOT NULL THEN register.national_id
            WHEN resolved.id_kind IN ('cccd', 'cmnd') THEN resolved.national_id
        END AS resolved_id
    FROM resolved
    LEFT JOIN register ON register.national_id = resolved.candidate_id
),

duplicate_groups AS (
    SELECT
        resolved_id,
        count(*) AS records_sharing
    FROM linked
    WHERE resolved_id IS NOT NULL
    GROUP BY resolved_id
    HAVING count(*) > 1
),

previous AS (
    SELECT
        source_key,
        min(first_seen) AS first_seen
    FROM previous_mismatches
    GROUP BY source_key
),

encoding_suspects AS (
    -- NAME_ENCODING: a sector name that a repair under some encoding family (TCVN3, VNI, VIQR,
    -- Windows-1258, UTF-8 misread) turns into the register name's key. The few linked names that
    -- differ from the register's and may be misencoded, each pair of names once.
    SELECT DISTINCT full_name, register_name_key
    FROM linked
    WHERE linked_national_id IS NOT NULL AND name_key <> register_name_key AND may_be_misencoded(full_name)
),

repaired_name_keys AS (
    -- every repair candidate of each suspect name, as a name key: the repair is a Python function
    -- called row by row, so each distinct name is repaired once, however many records carry it
    SELECT full_name, name_key(repaired) AS repaired_key
    FROM (
        SELECT full_name, unnest(name_repairs(full_name)) AS repaired
        FROM (SELECT DISTINCT full_name FROM encoding_suspects) AS suspect_names
    ) AS repairs
),

encoding_repairs AS (
    SELECT DISTINCT encoding_suspects.full_name, encoding_suspects.register_name_key
    FROM encoding_suspects
    JOIN repaired_name_keys
        ON repaired_name_keys.full_name = encoding_suspects.full_name
        AND repaired_name_keys.repaired_key = encoding_suspects.register_name_key
),

compared AS (
    SELECT
        linked.*,
        duplicate_groups.records_sharing,
        previous.first_seen AS previous_first_seen,
        linked.linked_national_id IS NOT NULL AS is_linked,
        CASE
            WHEN linked.linked_national_id IS NULL THEN NULL
            WHEN linked.name_key = linked.register_name_key THEN NULL
            WHEN encoding_repairs.full_name IS NOT NULL THEN 'NAME_ENCODING'
            -- name_without_diacritics of both names, from the keys already computed
            WHEN fold_key(linked.name_key) = fold_key(linked.register_name_key)
                THEN 'NAME_DIACRITICS'
            ELSE 'NAME_MISMATCH'
        END AS name_reason,
        CASE
            WHEN NOT linked.birth_date_valid THEN 'DOB_INVALID'
            WHEN linked.linked_national_id IS NULL THEN NULL
            WHEN linked.register_birth_date IS NULL THEN 'DOB_MISMATCH'
            WHEN NOT dates_agree(
                    linked.birth_date, linked.birth_date_precision,
                    linked.register_birth_date, linked.register_birth_date_precision)
                THEN 'DOB_MISMATCH'
            WHEN linked.birth_date_precision <> linked.register_birth_date_precision THEN 'DOB_PARTIAL'
        END AS birth_date_reason,
        CASE
            WHEN linked.gender IS NULL THEN 'GENDER_MISMATCH'
            WHEN linked.linked_national_id IS NOT NULL AND linked.gender <> linked.register_gender THEN 'GENDER_MISMATCH'
        END AS gender_reason,
        CASE
            WHEN $checks_deceased AND linked.linked_national_id IS NOT NULL
                AND coalesce(linked.is_active, false) AND linked.is_deceased
                THEN 'DECEASED'
        END AS deceased_reason,
        CASE
            -- a registered death against the register: the register shows the person alive, or
            -- records another date of death (a registration without a date of death is the latter)
            WHEN NOT $checks_death OR linked.linked_national_id IS NULL THEN NULL
            WHEN NOT linked.is_deceased THEN 'DEATH_NOT_IN_REGISTER'
            WHEN linked.death_date IS DISTINCT FROM linked.date_of_death THEN 'DEATH_DATE_MISMATCH'
        END AS death_reason,
        CASE
            WHEN linked.id_kind = 'cccd' AND linked.linked_national_id IS NULL THEN {
                'id_gender': CASE WHEN substr(linked.national_id, 4, 1)::INTEGER % 2 = 1 THEN 'F' ELSE 'M' END,
                'id_birth_year': 1900 + substr(linked.national_id, 4, 1)::INTEGER // 2 * 100
                    + substr(linked.national_id, 5, 2)::INTEGER
            }
        END AS id_digits
    FROM linked
    LEFT JOIN duplicate_groups ON duplicate_groups.resolved_id = linked.resolved_id
    LEFT JOIN previous ON previous.source_key = linked.source_key
    LEFT JOIN encoding_repairs
        ON encoding_repairs.full_name = linked.full_name
        AND encoding_repairs.register_name_key = linked.register_name_key
),

classified AS (
    SELECT
        compared.*,
        list_sort(list_filter([
            CASE WHEN id_kind = 'missing' THEN 'MISSING_ID' END,
            CASE WHEN id_kind = 'invalid' THEN 'INVALID_ID' END,
            CASE WHEN id_kind = 'cmnd' THEN 'LEGACY_ID' END,
            CASE WHEN id_kind IN ('cccd', 'cmnd') AND NOT is_linked THEN 'NOT_IN_REFERENCE' END,
            CASE WHEN records_sharing > 1 THEN 'DUPLICATE_ID' END,
            name_reason,
            birth_date_reason,
            gender_reason,
            deceased_reason,
            death_reason
        ], lambda reason: reason IS NOT NULL)) AS reasons,
        coalesce(
            residence_province,
            CASE WHEN id_kind = 'cccd' THEN substr(national_id, 1, 3) END
        ) AS province_code
    FROM compared
)

SELECT
    classified.*,
    CASE WHEN len(reasons) > 0 THEN coalesce(previous_first_seen, $logical_date) END AS first_seen
FROM classified
