-- The session's `normalised` table with each record's row hash (DuckDB; incremental runs).
-- Input: normalised (normalise.sql). Output: normalised's columns plus row_hash (UBIGINT).
-- The hash covers every normalised column: the source values, `updated_at`, and what the run's
-- date decides (`birth_date_valid`: a birth date after the run's date is invalid), so a record
-- whose classification inputs of its own changed in any way gets a new hash.
SELECT
    normalised.*,
    hash(normalised) AS row_hash
FROM normalised
