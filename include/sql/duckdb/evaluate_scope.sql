-- The records evaluate_summary.sql and evaluate.sql score (DuckDB): those within the rules, or,
-- with the variable beyond set to true, those beyond them (beyond_rules set in the ground truth).
-- Inputs: expected_all (evaluate/expected.sql), actual_all (evaluate/published_reasons.sql);
-- SET VARIABLE beyond = true | false before this file and before reading the views.
CREATE OR REPLACE VIEW beyond_keys AS
SELECT expected_all.source_key
FROM expected_all
WHERE expected_all.beyond_rules IS NOT NULL AND expected_all.source_key IS NOT NULL;

CREATE OR REPLACE VIEW expected AS
SELECT expected_all.source_key, expected_all.expected_reasons
FROM expected_all
WHERE (expected_all.beyond_rules IS NOT NULL) = getvariable('beyond');

CREATE OR REPLACE VIEW actual AS
SELECT actual_all.*
FROM actual_all
WHERE (actual_all.source_key IN (SELECT beyond_keys.source_key FROM beyond_keys)) = getvariable('beyond');
