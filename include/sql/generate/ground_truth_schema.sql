-- The generator's ground truth in each sector database: what the rules should find per record.
-- Applied after the sector's source schema (sources/<sector>/schema.sql); idempotent.
CREATE SCHEMA IF NOT EXISTS ground_truth;
COMMENT ON SCHEMA ground_truth IS 'Answers of the demo-data generator; never read by the pipeline.';
CREATE TABLE IF NOT EXISTS ground_truth.expected (
    dataset                     text   NOT NULL,
    source_key                  text   NOT NULL,
    expected_reasons            text[] NOT NULL,  -- sorted; empty = matched
    expected_linked_national_id text,
    expected_suggested_national_id text,        -- the suggestion the rules give a record that does not link
    expected_suggestion_method     text,        -- id_typo, id_transposition, id_leading_zero, id_letter_digit,
                                                -- name_birth_gender
    true_national_id               text,        -- the register person the record is about (NULL: not in it)
    beyond_rules                   text,        -- a fault family no rule covers (scored apart), else NULL
    expected_active                boolean,     -- the record is in force; NULL: the dataset has no is_active
    PRIMARY KEY (dataset, source_key)
);
-- Register deaths in a death-registration dataset's digitised scope that have no registration.
CREATE TABLE IF NOT EXISTS ground_truth.unregistered_deaths (
    dataset     text NOT NULL,
    national_id text NOT NULL,
    PRIMARY KEY (dataset, national_id)
);
