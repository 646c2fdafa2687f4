-- Death registrations checked both ways (additive; applied after review/schema.sql).
-- The register mirror keeps the residence commune (NULL where the register has none).
SELECT pg_temp.add_column_if_missing('reference.persons', 'residence_commune', 'text');

-- Register deaths in a death-registration dataset's digitised scope (communes and period of
-- death, from the dataset's coverage_sql) that have no registration in the dataset's latest
-- published run. They have no sector record, so they are not in sync.mismatches. Replaced at
-- every published run of the dataset.
CREATE TABLE IF NOT EXISTS sync.unregistered_deaths (
    sector             text        NOT NULL,
    dataset            text        NOT NULL,
    national_id        text        NOT NULL,
    residence_commune  text        NOT NULL,
    residence_province text,
    date_of_death      date,
    run_id             text        NOT NULL,
    logical_date       timestamptz NOT NULL,
    PRIMARY KEY (sector, dataset, national_id)
);

-- register_feedback rows come from a register_wrong verdict (origin 'verdict', verdict_id set) or,
-- since death registrations, automatically from a DEATH_NOT_IN_REGISTER mismatch (origin
-- 'death_registration', verdict_id NULL, one row per record and first_seen).
-- Migration: verdict_id NOT NULL is relaxed; every row before it has origin 'verdict'.
SELECT pg_temp.add_column_if_missing('sync.register_feedback', 'origin', 'text NOT NULL DEFAULT ''verdict''');
SELECT pg_temp.add_column_if_missing('sync.register_feedback', 'first_seen', 'timestamptz');
DO $$
BEGIN
    IF EXISTS (  -- guarded: ALTER TABLE would lock the table exclusively at every schema check
        SELECT 1 FROM pg_catalog.pg_attribute
        WHERE attrelid = 'sync.register_feedback'::regclass AND attname = 'verdict_id' AND attnotnull
    ) THEN
        ALTER TABLE sync.register_feedback ALTER COLUMN verdict_id DROP NOT NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'register_feedback_origin') THEN
        ALTER TABLE sync.register_feedback ADD CONSTRAINT register_feedback_origin CHECK (
            (origin = 'verdict' AND verdict_id IS NOT NULL)
            OR (origin = 'death_registration' AND verdict_id IS NULL AND first_seen IS NOT NULL)
        );
    END IF;
END
$$;
CREATE UNIQUE INDEX IF NOT EXISTS register_feedback_automatic
    ON sync.register_feedback (sector, dataset, source_key, first_seen) WHERE origin = 'death_registration';
