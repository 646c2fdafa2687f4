-- The state an incremental run keeps of each classified record (DuckDB; written as Parquet).
-- Input: reconciled (reconciled.sql, from normalised with row_hash). Output: one row per record.
-- What later runs need to tell whether a record's results can have changed (affected_keys.sql),
-- to carry its results over, to count it in the metrics and the dataset's links, and in the gate's
-- profile when its row is not read again (a source that hashes its rows: pipeline/keyed_extract.py).
SELECT
    source_key,
    -- a birth date after the run's date (invalid today, perhaps valid on a later run's date) is the
    -- one normalised value the run's date decides: such a record counts as changed in every run
    CASE WHEN NOT birth_date_valid AND birth_date >= DATE '1900-01-01' THEN NULL ELSE row_hash END AS row_hash,
    id_kind,
    national_id,
    resolved_id,
    linked_national_id,
    is_linked,
    province_code,
    reasons,
    is_active,
    -- suggestions.sql searches candidates for these records: unlinked, mismatched, valid date and gender
    NOT is_linked AND len(reasons) > 0 AND birth_date_valid AND gender IS NOT NULL AS suggestible,
    CASE WHEN NOT is_linked AND len(reasons) > 0 THEN name_key END AS name_key,
    -- every name the search looks the record up by, without diacritics (a superset of its blocks)
    CASE WHEN NOT is_linked AND len(reasons) > 0 AND name_key IS NOT NULL THEN
        list_distinct(list_transform(list_prepend(name_key, repaired_keys(full_name)), lambda k: fold_key(k)))
    END AS search_keys,
    gender,
    CASE WHEN birth_date_valid THEN year(birth_date) END AS birth_year,
    -- the gate's profile of a record carried over without being read again (profile.sql)
    birth_date_valid,
    has_full_name,
    name_garbled,
    updated_at
FROM reconciled
