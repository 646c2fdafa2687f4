-- The bucket of every normalised record of a split dataset run (DuckDB).
-- Inputs: normalised (normalise.sql), legacy_ids (legacy_ids.sql): the former CMNDs among the
--         dataset's 9-digit IDs that resolve to one register person.
-- Parameters: $buckets (INTEGER, at least 2).
-- Output: normalised's columns plus bucket (0 .. $buckets - 1).
-- The key is the ID the record resolves to, exactly as reconcile.sql resolves it: a CCCD is
-- itself; a CMND is the one register person whose former CMND it is (LEGACY_ID), else itself.
-- So every record that reconcile.sql could count in one DUPLICATE_ID group lands in one bucket,
-- and so does the register person each bucket must read. Records with no usable ID never share
-- a group: they are spread by their source key. A bucket is a stretch of key slots (macros.sql:
-- key_slot, slot_bucket), the order the register snapshot is stored in, so each bucket reads only
-- the stretch of the snapshot its records can link to.
WITH keyed AS (
    SELECT
        normalised.*,
        CASE normalised.id_kind
            WHEN 'cccd' THEN normalised.national_id
            WHEN 'cmnd' THEN coalesce(legacy_ids.national_id, normalised.national_id)
        END AS resolved_key
    FROM normalised
    LEFT JOIN legacy_ids
        ON normalised.id_kind = 'cmnd' AND legacy_ids.former_cmnd = normalised.national_id
)

SELECT
    keyed.* EXCLUDE (resolved_key),
    slot_bucket(key_slot(coalesce(resolved_key, 'key:' || source_key, 'name:' || full_name, '')), $buckets)
        AS bucket
FROM keyed
