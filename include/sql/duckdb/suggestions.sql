-- Candidate lists of the records that do not link (DuckDB). A lead, not a link: reasons are untouched.
-- Inputs: reconciled (reconcile.sql, with its rowid as the record's identity), dataset_links
--         (dataset_links.sql: the persons the dataset's records link to), register_all (the
--         whole register: national_id, former_cmnd, name_key, folded_key (fold_key(name_key)),
--         birth_date, birth_date_precision, gender, residence_province), province_successors (code, current_code: every province code
--         of either table and the current province it belongs to, from reference.provinces).
-- Output: one row per candidate (every register person that fits a record), with its evidence,
--         confidence, rank within the record, whether it is plausible and whether it is the
--         record's single suggested ID (and which evidence separated it from the others).
-- Rules: docs/reconciliation-rules.md, "Suggested IDs" and "Candidate lists and their evidence".
-- Every fit agrees with its record on a name key (as written, a repair's, or without diacritics),
-- gender and birth year, an ID method's fit too: so the search reads the register once, for the
-- persons of the records' name blocks, and compares a record's ID only with the IDs of the persons
-- in its blocks (macros.sql: id_slip) — exact lookups and comparisons within a block, never a
-- comparison across the register.
WITH unlinked AS MATERIALIZED (
    SELECT
        rowid AS record_id,
        national_id,
        id_kind,
        name_key,
        birth_date,
        birth_date_precision,
        gender,
        full_name
    FROM reconciled
    WHERE NOT is_linked AND len(reasons) > 0 AND birth_date_valid AND gender IS NOT NULL
),

-- The name keys each record is looked up by, and how its name agrees through each: as written;
-- without diacritics (a name written without any, looked up by the register's names without
-- diacritics: `folded`); repaired (the key of a repair of an encoding accident).
search_keys AS MATERIALIZED (
    SELECT
        record_id,
        name_key AS search_key,
        name_key = fold_key(name_key) AS folded,
        CASE WHEN name_key = fold_key(name_key) THEN 'without_diacritics' ELSE 'as_written' END AS name_agreement
    FROM unlinked
    WHERE name_key IS NOT NULL
    UNION ALL
    SELECT record_id, search_key, false, 'encoding_repaired'
    FROM (SELECT record_id, name_key, unnest(repaired_keys(full_name)) AS search_key FROM unlinked)
    WHERE search_key <> name_key
),

-- Blocking key of the name lookup: name key (or the name without diacritics), gender and birth year
-- (two valid dates that agree at the coarser precision always share the year).
name_blocks AS (
    SELECT DISTINCT search_keys.search_key, search_keys.folded, unlinked.gender, year(unlinked.birth_date) AS birth_year
    FROM search_keys
    JOIN unlinked ON unlinked.record_id = search_keys.record_id
),

-- The register persons of the records' name blocks (as written, or without diacritics), in one pass
-- over the register. A block is looked up by its 64-bit hash; a person a collision lets through
-- is in no record's block, and the equality joins below never take it.
reachable AS MATERIALIZED (
    SELECT *
    FROM (
        SELECT
            national_id, former_cmnd, name_key, folded_key, birth_date, birth_date_precision, gender,
            residence_province,
            hash(name_key, gender, year(birth_date))
                IN (SELECT hash(search_key, gender, birth_year) FROM name_blocks WHERE NOT folded) AS name_hit,
            hash(folded_key, gender, year(birth_date))
                IN (SELECT hash(search_key, gender, birth_year) FROM name_blocks WHERE folded) AS folded_hit
        FROM register_all
    ) AS register_flags
    WHERE name_hit OR folded_hit
),

-- The register persons of the name blocks, with the key that found them (a person in a block of
-- its name as is and in one of its name without diacritics is listed twice).
by_name AS MATERIALIZED (
    SELECT national_id, birth_date, birth_date_precision, gender, name_key AS search_key, false AS folded
    FROM reachable
    WHERE name_hit
    UNION ALL
    SELECT national_id, birth_date, birth_date_precision, gender, folded_key, true
    FROM reachable
    WHERE folded_hit
),

-- Order of the name agreements (the closest wins when a person fits through several keys).
agreement_order AS (
    SELECT * FROM (VALUES ('as_written', 1), ('encoding_repaired', 2), ('without_diacritics', 3))
        AS agreement_order(name_agreement, agreement_rank)
),

-- How common the name is at the register's size: persons per name key (or name without
-- diacritics), gender and birth year.
block_sizes AS (
    SELECT search_key, folded, gender, year(birth_date) AS birth_year, count(*) AS block_size
    FROM by_name
    GROUP BY ALL
),

-- Every record with every person of its name blocks whose gender and birth date agree (at the
-- coarser precision), by the closest name agreement, and the slip (macros.sql: id_slip; NULL:
-- none) from the record's ID to the person's.
block_pairs AS MATERIALIZED (
    SELECT
        search_keys.record_id,
        by_name.national_id,
        arg_min(search_keys.name_agreement, agreement_order.agreement_rank) AS name_agreement,
        arg_min(search_keys.search_key, agreement_order.agreement_rank) AS search_key,
        arg_min(search_keys.folded, agreement_order.agreement_rank) AS folded,
        id_slip(any_value(unlinked.national_id), any_value(unlinked.id_kind), by_name.national_id) AS slip
    FROM search_keys
    JOIN agreement_order ON agreement_order.name_agreement = search_keys.name_agreement
    JOIN unlinked ON unlinked.record_id = search_keys.record_id
    JOIN by_name
        ON by_name.search_key = search_keys.search_key
        AND by_name.folded = search_keys.folded
        AND by_name.gender = unlinked.gender
        AND year(by_name.birth_date) = year(unlinked.birth_date)
    WHERE dates_agree(unlinked.birth_date, unlinked.birth_date_precision, by_name.birth_date, by_name.birth_date_precision)
    GROUP BY search_keys.record_id, by_name.national_id
),

-- The ID methods first: the persons whose ID is one slip from the record's (1 leading zeros, 2
-- look-alike letters, 3 a transposition, 4 a typo).
id_fits AS (
    SELECT record_id, national_id, slip AS rank, name_agreement, NULL::VARCHAR AS search_key, NULL::BOOLEAN AS folded
    FROM block_pairs
    WHERE slip IS NOT NULL
),

-- Only when no ID method fits: every person of the record's blocks (name key, gender, birth date).
name_fits AS (
    SELECT record_id, national_id, 5 AS rank, name_agreement, search_key, folded
    FROM block_pairs
    WHERE record_id NOT IN (SELECT record_id FROM id_fits)
),

fits AS MATERIALIZED (
    SELECT * FROM id_fits
    UNION ALL
    SELECT * FROM name_fits
),

-- Candidates some other record of the dataset already links to (the fitting record does not link).
linked_elsewhere AS (
    -- dataset_links.sql: the whole dataset's links, also when the run is split into buckets
    SELECT national_id, records
    FROM dataset_links
    WHERE national_id IN (SELECT national_id FROM fits)
),

-- The candidates' own rows (each person is one row of `reachable`, whichever lookups found it).
persons AS (
    SELECT national_id, former_cmnd, name_key, birth_date, birth_date_precision, gender, residence_province
    FROM reachable
    WHERE national_id IN (SELECT national_id FROM fits)
),

evidence AS (
    SELECT
        fits.record_id,
        fits.national_id AS candidate_national_id,
        ['id_leading_zero', 'id_letter_digit', 'id_transposition', 'id_typo', 'name_birth_gender'][fits.rank]
            AS method,
        fits.rank AS method_rank,
        fits.name_agreement,
        unlinked.national_id AS record_national_id,
        unlinked.id_kind AS record_id_kind,
        unlinked.birth_date AS record_birth_date,
        unlinked.birth_date_precision AS record_precision,
        persons.birth_date AS register_birth_date,
        persons.birth_date_precision AS register_precision,
        coarser_precision(unlinked.birth_date_precision, persons.birth_date_precision) AS compared_precision,
        unlinked.gender,
        CASE WHEN fits.rank = 5 THEN coalesce(block_sizes.block_size, 1) END AS block_size,
        coalesce(linked_elsewhere.records, 0) AS linked_elsewhere,
        -- the record's 12-digit ID against the candidate's: province, century/gender digit, birth year
        CASE WHEN regexp_full_match(unlinked.national_id, '[0-9]{12}') THEN
            substr(unlinked.national_id, 1, 3) = substr(fits.national_id, 1, 3) END AS id_province,
        CASE WHEN regexp_full_match(unlinked.national_id, '[0-9]{12}') THEN
            substr(unlinked.national_id, 4, 1) = substr(fits.national_id, 4, 1) END AS id_century_gender,
        CASE WHEN regexp_full_match(unlinked.national_id, '[0-9]{12}') THEN
            substr(unlinked.national_id, 5, 2) = substr(fits.national_id, 5, 2) END AS id_birth_year,
        CASE WHEN unlinked.id_kind = 'cmnd' THEN coalesce(persons.former_cmnd = unlinked.national_id, false)
            END AS former_cmnd,
        -- the candidate lives in the current province of the record's ID province (the ID keeps the
        -- former code of the birth registration; the residence may be written in either table)
        CASE WHEN unlinked.id_kind = 'cccd' AND persons.residence_province IS NOT NULL THEN
            coalesce(residence_now.current_code = id_province_now.current_code, false) END AS residence_province
    FROM fits
    JOIN unlinked ON unlinked.record_id = fits.record_id
    JOIN persons ON persons.national_id = fits.national_id
    LEFT JOIN province_successors AS residence_now ON residence_now.code = persons.residence_province
    LEFT JOIN province_successors AS id_province_now ON id_province_now.code = substr(unlinked.national_id, 1, 3)
    LEFT JOIN block_sizes
        ON fits.rank = 5
        AND block_sizes.search_key = fits.search_key
        AND block_sizes.folded = fits.folded
        AND block_sizes.gender = unlinked.gender
        AND block_sizes.birth_year = year(unlinked.birth_date)
    LEFT JOIN linked_elsewhere ON linked_elsewhere.national_id = fits.national_id
),

-- A name fit that the record's well-formed ID (known province) disagrees with in a group that never
-- changes for a person: the ID is another person's, so the candidate is a stranger (not plausible).
contradicted AS (
    SELECT
        evidence.*,
        coalesce(
            method_rank = 5 AND record_id_kind = 'cccd' AND NOT (id_province AND id_century_gender AND id_birth_year),
            false
        ) AS id_contradicts
    FROM evidence
),

scored AS (
    SELECT
        evidence.*,
        CASE
            WHEN method_rank < 5 THEN [0.99, 0.98, 0.95, 0.95][method_rank]
            ELSE round(0.85 * odds / (1 + odds), 3)
        END AS confidence
    FROM (
        SELECT
            evidence.*,
            -- odds that a lone name fit is the record's own person: 1 / (block size x chance of the date),
            -- times 3 (a record that does not link is more often about a register person than not) and
            -- the ID digits' evidence when the record's own date agrees at its own precision; a fit
            -- that agrees only because the register's date is coarser than the record's is a guess
            CASE WHEN compared_precision <> record_precision THEN 1.0 ELSE 3.0 * CASE
                    WHEN id_province IS NULL THEN 1.0
                    WHEN record_id_kind = 'cccd' AND id_province AND id_century_gender AND id_birth_year THEN 10.0
                    -- an unknown province code says nothing; the other two groups agree across the block
                    WHEN record_id_kind <> 'cccd' AND id_century_gender AND id_birth_year THEN 1.0
                    ELSE 0.1
                END END
                / (block_size * CASE compared_precision WHEN 'day' THEN 1.0 / 365 WHEN 'month' THEN 1.0 / 12 ELSE 1.0 END)
                AS odds
        FROM contradicted AS evidence
    ) AS evidence
),

-- Not plausible: a name fit whose person another record of the dataset links to, or that the
-- record's ID contradicts. An ID slip's person stays plausible when linked elsewhere: name, gender
-- and date agree and the ID is one slip away (a second record of that person).
plausibility AS (
    SELECT scored.*, (method_rank < 5 OR linked_elsewhere = 0) AND NOT id_contradicts AS is_plausible
    FROM scored
),

counted AS (
    SELECT
        plausibility.*,
        count(*) OVER per_record AS candidates,
        count(*) FILTER (WHERE is_plausible) OVER per_record AS plausible,
        count(*) FILTER (WHERE is_plausible AND former_cmnd) OVER per_record AS by_former_cmnd,
        count(*) FILTER (WHERE is_plausible AND id_province) OVER per_record AS by_id_province,
        count(*) FILTER (WHERE is_plausible AND residence_province) OVER per_record AS by_residence,
        count(*) FILTER (WHERE is_plausible AND compared_precision = record_precision) OVER per_record
            AS by_date_precision
    FROM plausibility
    WINDOW per_record AS (PARTITION BY record_id)
),

decided AS (
    SELECT
        counted.*,
        CASE
            WHEN NOT is_plausible THEN NULL
            WHEN plausible = 1 THEN 'one plausible candidate'
            WHEN by_former_cmnd = 1 AND former_cmnd THEN 'former_cmnd'
            WHEN by_former_cmnd <> 1 AND by_id_province = 1 AND id_province THEN 'id_province'
            WHEN by_former_cmnd <> 1 AND by_id_province <> 1 AND by_residence = 1 AND residence_province
                THEN 'residence_province'
            -- the only candidate whose date agrees at the record's own precision (the others agree
            -- only because the register knows their date to the month or year)
            WHEN by_former_cmnd <> 1 AND by_id_province <> 1 AND by_residence <> 1 AND by_date_precision = 1
                AND compared_precision = record_precision
                THEN 'date_precision'
        END AS chosen_by
    FROM counted
)

SELECT
    record_id,
    candidate_national_id,
    row_number() OVER (
        PARTITION BY record_id
        ORDER BY NOT is_plausible, chosen_by IS NULL, confidence DESC, candidate_national_id
    ) AS rank,
    method,
    method_rank,
    name_agreement,
    confidence,
    chosen_by IS NOT NULL AND confidence >= 0.5 AS suggested,
    chosen_by,
    candidates,
    plausible,
    record_precision,
    register_precision,
    compared_precision,
    record_birth_date,
    register_birth_date,
    gender,
    block_size,
    linked_elsewhere,
    id_contradicts,
    id_province,
    id_century_gender,
    id_birth_year,
    former_cmnd,
    residence_province
FROM decided
