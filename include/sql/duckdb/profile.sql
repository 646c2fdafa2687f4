-- The quality gate's aggregates of one normalised extract, in one pass (DuckDB).
-- Input: the placeholder in `records` is replaced by profile_rows.sql (every record of the
-- session's `normalised`) or, in an incremental run that read only changed rows again,
-- incremental/profile_rows.sql. Output: one row of counts; the gate turns them into shares.
WITH records AS (
    __profile_rows__
),

repeated_keys AS (
    SELECT count(*) AS records_sharing
    FROM records
    WHERE source_key IS NOT NULL
    GROUP BY source_key
    HAVING count(*) > 1
)

SELECT
    count(*) AS total,
    count(*) FILTER (WHERE id_kind IN ('cccd', 'cmnd')) AS ids_well_formed,
    count(gender) AS genders_mapped,
    count(*) FILTER (WHERE birth_date_valid) AS birth_dates_valid,
    count(source_key) AS source_keys_present,
    count(*) FILTER (WHERE has_full_name) AS full_names_present,
    coalesce((SELECT sum(records_sharing) FROM repeated_keys), 0) AS keys_repeated,
    count(*) FILTER (WHERE name_garbled) AS names_garbled,
    epoch(max(updated_at)) AS newest_updated_at
FROM records
