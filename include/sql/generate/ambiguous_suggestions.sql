-- Name, birth date and gender suggestions the rules give (DuckDB, generator's ground truth).
-- Inputs: probe(dataset, source_key, full_name, gender, birth_date, birth_date_precision,
--         record_id): records that do not link and whose name, gender and date (as written) let
--         a register person fit: records of register persons (their own person always fits) and
--         of people outside the register (a stranger may fit); record_id is the record's ID as
--         written without separators (NULL when missing);
--         register_persons(national_id, full_name, gender, birth_date, birth_date_precision,
--         former_cmnd, residence_province): the whole register;
--         linked(dataset, national_id): the persons other records of each dataset link to (the
--         generator's own truth: expected_linked_national_id);
--         province_codes(code): the provinces the generator draws IDs from (an ID whose first three
--         digits are not one of them is its unknown-province INVALID_ID).
--         province_successors(code, current_code): each province code of either table and the
--         current province it belongs to (popsync.domain.provinces_now).
-- Output: every probe with the number of register persons that fit it (name key, gender, birth
--         date agreeing at the coarser precision) and the single suggested ID the rules give
--         (docs/reconciliation-rules.md, "Candidate lists and their evidence"), NULL when none.
WITH persons AS (
    SELECT
        national_id,
        name_key(full_name) AS name_key,
        fold_key(name_key(full_name)) AS folded_key,
        gender,
        birth_date,
        birth_date_precision,
        former_cmnd,
        residence_province
    FROM register_persons
),

probe_keys AS (
    SELECT
        dataset,
        source_key,
        name_key(full_name) AS name_key,
        -- a name written without any diacritic is looked up among the names without diacritics
        name_key(full_name) = fold_key(name_key(full_name)) AS folded,
        gender,
        birth_date,
        birth_date_precision,
        CASE WHEN regexp_full_match(record_id, '[0-9]{12}') THEN record_id END AS id12,
        coalesce(substr(record_id, 1, 3) IN (SELECT code FROM province_codes), false) AS known_province,
        CASE WHEN regexp_full_match(record_id, '[0-9]{9}') THEN record_id END AS id9
    FROM probe
),

-- the register persons some probe's name asks for, by the key that finds them
persons_keyed AS (
    SELECT persons.*, name_key AS search_key, false AS folded
    FROM persons
    WHERE (name_key, gender) IN (SELECT (name_key, gender) FROM probe_keys WHERE NOT folded)
    UNION ALL
    SELECT persons.*, folded_key, true
    FROM persons
    WHERE (folded_key, gender) IN (SELECT (name_key, gender) FROM probe_keys WHERE folded)
),

-- how common the name is: register persons with the probe's name key (or name without
-- diacritics), gender and birth year
blocks AS (
    SELECT search_key, folded, gender, year(birth_date) AS birth_year, count(*) AS block_size
    FROM persons_keyed
    GROUP BY ALL
),

fits AS (
    SELECT
        probe_keys.dataset,
        probe_keys.source_key,
        other.national_id,
        -- not plausible: linked by another record, or a well-formed ID of a known province that
        -- disagrees with the candidate's in the province, century/gender or birth-year digits
        linked.national_id IS NULL
        AND NOT coalesce(
            probe_keys.known_province AND substr(probe_keys.id12, 1, 6) <> substr(other.national_id, 1, 6), false
        ) AS plausible,
        coalesce(other.former_cmnd = probe_keys.id9, false) AS by_cmnd,
        coalesce(substr(other.national_id, 1, 3) = substr(probe_keys.id12, 1, 3), false) AS by_id_province,
        -- the person lives in the current province of the ID's (former) province code
        coalesce(residence_now.current_code = id_province_now.current_code, false) AS by_residence,
        -- the person's date agrees at the record's own precision (not only through a coarser register date)
        coarser_precision(probe_keys.birth_date_precision, other.birth_date_precision)
            = probe_keys.birth_date_precision AS by_date_precision,
        -- odds that the fit is the record's own person (block size, date precision, ID digits); 3 to
        -- 1 for a register person when the record's date agrees at its own precision, a guess when
        -- it agrees only because the register's date is coarser
        CASE
            WHEN coarser_precision(probe_keys.birth_date_precision, other.birth_date_precision)
                <> probe_keys.birth_date_precision THEN 1.0
            ELSE 3.0 * CASE
                WHEN probe_keys.id12 IS NULL THEN 1.0
                WHEN probe_keys.known_province AND substr(probe_keys.id12, 1, 6) = substr(other.national_id, 1, 6)
                    THEN 10.0
                -- an unknown province code carries no evidence; century/gender and birth year still do
                WHEN NOT probe_keys.known_province AND substr(probe_keys.id12, 4, 3) = substr(other.national_id, 4, 3)
                    THEN 1.0
                ELSE 0.1
            END
        END / (
            blocks.block_size * CASE coarser_precision(probe_keys.birth_date_precision, other.birth_date_precision)
                WHEN 'day' THEN 1.0 / 365 WHEN 'month' THEN 1.0 / 12 ELSE 1.0 END
        ) AS odds
    FROM probe_keys
    JOIN persons_keyed AS other
        ON other.search_key = probe_keys.name_key
        AND other.folded = probe_keys.folded
        AND other.gender = probe_keys.gender
    JOIN blocks
        ON blocks.search_key = probe_keys.name_key
        AND blocks.folded = probe_keys.folded
        AND blocks.gender = probe_keys.gender
        AND blocks.birth_year = year(probe_keys.birth_date)
    LEFT JOIN linked ON linked.dataset = probe_keys.dataset AND linked.national_id = other.national_id
    LEFT JOIN province_successors AS residence_now ON residence_now.code = other.residence_province
    LEFT JOIN province_successors AS id_province_now ON id_province_now.code = substr(probe_keys.id12, 1, 3)
    WHERE dates_agree(
        other.birth_date, other.birth_date_precision, probe_keys.birth_date, probe_keys.birth_date_precision
    )
),

counted AS (
    SELECT
        fits.*,
        round(0.85 * odds / (1 + odds), 3) AS confidence,
        count(*) OVER per_probe AS candidates,
        count(*) FILTER (WHERE plausible) OVER per_probe AS n_plausible,
        count(*) FILTER (WHERE plausible AND by_cmnd) OVER per_probe AS n_cmnd,
        count(*) FILTER (WHERE plausible AND by_id_province) OVER per_probe AS n_id_province,
        count(*) FILTER (WHERE plausible AND by_residence) OVER per_probe AS n_residence,
        count(*) FILTER (WHERE plausible AND by_date_precision) OVER per_probe AS n_date_precision
    FROM fits
    WINDOW per_probe AS (PARTITION BY dataset, source_key)
),

-- the one plausible candidate, else the first evidence that leaves exactly one
chosen AS (
    SELECT dataset, source_key, any_value(candidates) AS candidates, any_value(national_id) AS national_id
    FROM counted
    WHERE plausible
        AND confidence >= 0.5
        AND (
            n_plausible = 1
            OR (n_cmnd = 1 AND by_cmnd)
            OR (n_cmnd <> 1 AND n_id_province = 1 AND by_id_province)
            OR (n_cmnd <> 1 AND n_id_province <> 1 AND n_residence = 1 AND by_residence)
            OR (n_cmnd <> 1 AND n_id_province <> 1 AND n_residence <> 1 AND n_date_precision = 1 AND by_date_precision)
        )
    GROUP BY dataset, source_key
),

totals AS (
    SELECT dataset, source_key, count(*) AS candidates FROM fits GROUP BY dataset, source_key
)

SELECT
    probe.dataset,
    probe.source_key,
    coalesce(totals.candidates, 0) AS candidates,
    chosen.national_id
FROM probe
LEFT JOIN totals ON totals.dataset = probe.dataset AND totals.source_key = probe.source_key
LEFT JOIN chosen ON chosen.dataset = probe.dataset AND chosen.source_key = probe.source_key
