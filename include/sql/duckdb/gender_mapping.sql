-- The dataset's gender values (trimmed, NFC, lower-cased) and the register's code for each, for
-- duckdb/normalise.sql; filled from the sector YAML's genders (one row per raw value).
CREATE OR REPLACE TABLE gender_mapping (
    raw_value VARCHAR PRIMARY KEY,
    gender VARCHAR
);
