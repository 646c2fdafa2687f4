-- Suggested IDs for mismatched records that do not link (additive to the contract).
-- Adding the column to the partitioned parent adds it to every partition; the per-run result
-- tables are created LIKE the parent, so they carry it too and ATTACH keeps working.
ALTER TABLE sync.mismatches ADD COLUMN IF NOT EXISTS suggested_national_id text;

COMMENT ON COLUMN sync.mismatches.suggested_national_id IS
    'For a record that does not link: the one register person whose ID is one slip away (or who has the same '
    'name, birth date and gender) and whose name, birth date and gender agree; details.suggestion says how.';
