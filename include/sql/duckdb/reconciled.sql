-- The session's `reconciled` table: reconcile.sql's classification, kept narrow (DuckDB).
-- The placeholder in FROM is replaced by the text of reconcile.sql (same parameters).
-- Every consumer of the wide text columns (mismatches_output.sql, suggested IDs) reads
-- mismatched records only, so matched records keep just their keys: the table stays small
-- enough for the session's memory limit and is not spilled. Columns nobody reads are dropped;
-- updated_at, name_garbled and has_full_name stay for the incremental state (the gate's profile
-- of records carried over: incremental/state_records.sql).
SELECT * EXCLUDE (register_name_key, residence_province, is_deceased, candidate_id)
    REPLACE (
        CASE WHEN len(reasons) > 0 THEN full_name END AS full_name,
        CASE WHEN len(reasons) > 0 THEN name_key END AS name_key,
        CASE WHEN len(reasons) > 0 THEN register_name END AS register_name,
        CASE WHEN len(reasons) > 0 THEN birth_date_raw END AS birth_date_raw,
        CASE WHEN len(reasons) > 0 THEN gender_raw END AS gender_raw,
        CASE WHEN len(reasons) > 0 THEN register_birth_date END AS register_birth_date,
        CASE WHEN len(reasons) > 0 THEN register_birth_date_precision END AS register_birth_date_precision,
        CASE WHEN len(reasons) > 0 THEN register_gender END AS register_gender,
        CASE WHEN len(reasons) > 0 THEN date_of_death END AS date_of_death,
        CASE WHEN len(reasons) > 0 THEN death_date END AS death_date
    ),
    full_name IS NOT NULL AS has_full_name
FROM (
    __reconcile_sql__
) AS classified_records
