-- The register persons each bucket of a split run can need, from one scan of the register (DuckDB;
-- the plan step). `persons_source` is replaced by the register snapshot (or the mirror streamed in),
-- and the placeholder in `variants` by id_variants.sql.
-- Inputs: bucket_records (the split records' keys: national_id, id_kind, name_key, gender,
--         birth_date, birth_date_valid, bucket), legacy_ids (legacy_ids.sql), dataset_links
--         (plan_links.sql: the persons the whole dataset links to).
-- Output: the register's columns, bucket, linkable; a person once per key that reaches it (the
--         bucket keeps one row per person, bucket_register.sql).
-- A bucket needs, and gets:
-- (a) linkable: the persons its records can link to, exactly linkable_persons.sql's set for them
--     (national_id or former CMND among the bucket's IDs); reconcile.sql's `register`.
-- (b) the persons its suggestion search (suggestions.sql over `register_all`) can reach: those whose
--     ID is one slip away from an unlinked record's ID, and every person of an unlinked record's name
--     block (name key, gender, birth year), whole, so that block_size counts as over the register.
--     `unlinked` here holds what suggestions.sql's can hold: the records that do not link by the rule
--     of reconcile.sql and plan_links.sql (their resolved ID is not a linked register person), with a
--     valid birth date and a gender. A person reached by an ID slip or a name block lands in the
--     bucket of the record that reaches it, whatever bucket the person's own records are in.
-- Extra persons in a bucket's `register_all` change nothing (the search filters by the bucket's own
-- variants and blocks); a missing one would, so every key that can reach a person is probed.
WITH records AS (
    SELECT * FROM bucket_records
),

wanted AS (
    -- linkable_persons.sql's wanted_ids, per bucket (a repeated ID repeats: the bucket keeps one row)
    SELECT national_id, bucket
    FROM records
    WHERE id_kind IN ('cccd', 'cmnd')
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

unlinked AS MATERIALIZED (
    -- the bucket stands for the record: a variant or block is needed by the bucket of its record
    SELECT DISTINCT
        bucket AS record_id,
        national_id,
        id_kind,
        name_key,
        birth_date,
        gender
    FROM resolved
    WHERE (candidate_id IS NULL OR candidate_id NOT IN (SELECT national_id FROM dataset_links))
        AND birth_date_valid AND gender IS NOT NULL
),

twelve_digits AS (
    SELECT * FROM unlinked WHERE regexp_full_match(national_id, '[0-9]{12}')
),

variants AS (
    __id_variants_sql__
),

variant_hits AS (
    -- the slips that are a register ID (a narrow scan of the register's IDs)
    SELECT DISTINCT candidate_id AS national_id, record_id AS bucket
    FROM variants
    WHERE candidate_id IN (SELECT persons.national_id FROM persons_source AS persons)
),

name_blocks AS (
    -- suggestions.sql's name_blocks (name key, gender, birth year) as one probe, per bucket
    SELECT DISTINCT
        'block:' || name_key || '|' || gender || '|' || year(birth_date)::VARCHAR AS probe,
        record_id AS bucket
    FROM unlinked
),

needs AS (
    -- what reaches a person: an ID (as national_id or former CMND) or a name block
    SELECT national_id AS probe, bucket, true AS linkable FROM wanted
    UNION ALL
    SELECT national_id, bucket, false FROM variant_hits
    UNION ALL
    SELECT probe, bucket, false FROM name_blocks
),

probed AS (
    SELECT
        persons.*,
        unnest([
            persons.national_id,
            persons.former_cmnd,
            'block:' || persons.name_key || '|' || persons.gender || '|' || year(persons.birth_date)::VARCHAR
        ]) AS probe
    FROM persons_source AS persons
)

SELECT
    probed.* EXCLUDE (probe),
    needs.bucket,
    needs.linkable
FROM probed
JOIN needs ON needs.probe = probed.probe
