-- The closure of records an incremental run must classify again (DuckDB).
-- Inputs: previous_state (the baseline run's record state: state_records.sql), key_changes (the
--         keys whose own record is new, changed, repeated or removed: key_changes.sql, or
--         keyed_changes.sql in a run that read only keys and hashes of every record),
--         register_changes (register_changes.sql); `persons_source` is replaced by the current
--         register, `current_source` by `normalised` (every current record, with row_hash) or,
--         in a run that read again only the changed rows, by current_records.sql's table.
-- Output: source_key of every record to classify again or to drop (a removed record), and
--         `removed` (true: the key is gone from the source). Records without a source key are
--         never carried over; the caller classifies them always.
-- Why this set is complete: docs/running.md, "Incremental runs". In short, a record's results
-- depend on (1) its own row, (2) the register persons with its ID or its CMND as former CMND,
-- (3) how many records resolve to its ID (DUPLICATE_ID), (4) for a record that does not link,
-- the register persons that can be its candidates and how many records link to each.
WITH current_records AS (
    SELECT source_key, id_kind, national_id FROM current_source
),

own_changes AS (
    -- (1) new records, changed rows, repeated keys
    SELECT source_key FROM key_changes WHERE NOT removed
),

removed AS (
    SELECT source_key FROM key_changes WHERE removed
),

changed_ids AS (
    SELECT national_id AS id FROM register_changes
    UNION
    SELECT former_cmnd FROM register_changes WHERE former_cmnd IS NOT NULL
),

register_touched AS (
    -- (2) a changed person has the record's ID, or had or has its CMND as former CMND
    SELECT source_key
    FROM current_records
    WHERE source_key IS NOT NULL AND id_kind IN ('cccd', 'cmnd')
        AND national_id IN (SELECT id FROM changed_ids)
),

first_ring AS (
    SELECT source_key FROM own_changes
    UNION
    SELECT source_key FROM register_touched
    UNION
    SELECT source_key FROM removed
),

new_ids AS (
    -- every ID a first-ring record (or a record without a key) can resolve and link to now: its
    -- own ID, and every register person holding its CMND as former CMND
    SELECT current_records.national_id AS id, current_records.id_kind
    FROM current_records
    WHERE current_records.id_kind IN ('cccd', 'cmnd')
        AND (current_records.source_key IS NULL
            OR current_records.source_key IN (SELECT source_key FROM first_ring))
),

ring_ids AS (
    -- the IDs a first-ring record resolves or links to, now (its own ID) or in the baseline
    SELECT id FROM new_ids
    UNION
    SELECT resolved_id FROM previous_state
    WHERE resolved_id IS NOT NULL
        AND (source_key IS NULL OR source_key IN (SELECT source_key FROM first_ring))
    UNION
    SELECT linked_national_id FROM previous_state
    WHERE linked_national_id IS NOT NULL
        AND (source_key IS NULL OR source_key IN (SELECT source_key FROM first_ring))
),

ring_persons AS (
    -- one pass over the register: the persons with one of those IDs, and every person holding a
    -- first-ring CMND as former CMND (a record with that CMND can resolve to the person's ID)
    SELECT persons.national_id, persons.name_key, persons.gender, year(persons.birth_date) AS birth_year
    FROM persons_source AS persons
    WHERE persons.national_id IN (SELECT id FROM ring_ids)
        OR persons.former_cmnd IN (SELECT id FROM new_ids WHERE id_kind = 'cmnd')
),

touched_ids AS (
    -- every ID a first-ring record can resolve or link to, before or now
    SELECT id FROM ring_ids
    UNION
    SELECT national_id FROM ring_persons
),

evidence_persons AS (
    -- (4) persons whose candidacy or link count can have changed: changed persons (both
    -- versions) and the persons some first-ring record linked or can link to (the register's
    -- key is national_id, so the persons with a touched ID are ring_persons)
    SELECT name_key, gender, birth_year FROM register_changes
    UNION
    SELECT name_key, gender, birth_year FROM ring_persons
),

-- (4) unchanged records that do not link and whose candidates can have changed: the suggestible
-- records in a name block of an evidence person. Every candidate is in one of its record's blocks,
-- an ID method's too (suggestions.sql), so no ID is compared here. Each record's search keys
-- (without diacritics) against the evidence persons' keys without diacritics, by equality joins.
unlinked_touched AS (
    SELECT DISTINCT record_keys.source_key
    FROM (
        SELECT source_key, unnest(search_keys) AS search_key, gender, birth_year
        FROM previous_state
        WHERE suggestible AND source_key IS NOT NULL
    ) AS record_keys
    JOIN (SELECT DISTINCT fold_key(name_key) AS search_key, gender, birth_year FROM evidence_persons) AS person_keys
        ON person_keys.search_key = record_keys.search_key
        AND person_keys.gender = record_keys.gender
        AND person_keys.birth_year = record_keys.birth_year
),

group_ids AS (
    -- (3) every DUPLICATE_ID group a re-classified record was or can be in, whole
    SELECT id FROM touched_ids
    UNION
    SELECT resolved_id FROM previous_state
    WHERE resolved_id IS NOT NULL AND source_key IN (SELECT source_key FROM unlinked_touched)
),

group_members AS (
    SELECT source_key FROM previous_state
    WHERE source_key IS NOT NULL AND resolved_id IN (SELECT id FROM group_ids)
)

SELECT DISTINCT source_key, source_key IN (SELECT source_key FROM removed) AS removed
FROM (
    SELECT source_key FROM first_ring
    UNION ALL
    SELECT source_key FROM unlinked_touched
    UNION ALL
    SELECT source_key FROM group_members
) AS affected
