-- Suggested IDs for mismatched records that do not link (additive to the contract).
-- Adding the column to the partitioned parent adds it to every partition; the per-run result
-- tables are created LIKE the parent, so they carry it too and ATTACH keeps working.
SELECT pg_temp.add_column_if_missing('sync.mismatches', 'suggested_national_id', 'text');

COMMENT ON COLUMN sync.mismatches.suggested_national_id IS
    'For a record that does not link: the one register person whose ID is one slip away (or who has the same '
    'name, birth date and gender) and whose name, birth date and gender agree; details.suggestion says how.';

-- Candidate lists of the records that do not link (additive to the contract): up to five
-- register persons per record, each with the method that found it, a confidence and the
-- evidence (docs/reconciliation-rules.md, "Suggested IDs"). Published like sync.mismatches:
-- each run writes its own table in sync_partitions; publish swaps it in with the run's
-- matches and mismatches, in the same transaction.
CREATE TABLE IF NOT EXISTS sync.suggestion_candidates (
    sector                text         NOT NULL,
    dataset               text         NOT NULL,
    source_key            text,
    candidate_national_id text         NOT NULL,
    rank                  integer      NOT NULL,
    method                text         NOT NULL,
    confidence            numeric(4, 3) NOT NULL,
    suggested             boolean      NOT NULL,
    evidence              jsonb        NOT NULL,
    run_id                text         NOT NULL,
    logical_date          timestamptz  NOT NULL
) PARTITION BY LIST (sector);

CREATE INDEX IF NOT EXISTS suggestion_candidates_record
    ON sync.suggestion_candidates (sector, dataset, source_key);

COMMENT ON TABLE sync.suggestion_candidates IS
    'For each mismatched record that does not link: the register persons that fit it (at most five, rank 1 '
    'first), with method, confidence and evidence. suggested = this candidate is the record''s '
    'sync.mismatches.suggested_national_id.';

-- The published candidate table of each dataset (NULL for runs published before the table existed).
SELECT pg_temp.add_column_if_missing('sync.published_runs', 'candidates_table', 'text');
