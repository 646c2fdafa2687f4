-- Review workflow: mismatch lifecycle across runs, sector verdicts, feedback to the register.
-- Inputs: none (DDL, idempotent; applied after warehouse/schema.sql).

-- One row per (sector, dataset, source_key) that has ever been mismatched. Changed only inside the
-- transaction that publishes a run (popsync.review.lifecycle.apply_run) and by verdicts.
CREATE TABLE IF NOT EXISTS sync.mismatch_lifecycle (
    sector                  text        NOT NULL,
    dataset                 text        NOT NULL,
    source_key              text        NOT NULL,
    status                  text        NOT NULL CHECK (status IN ('open', 'resolved')),
    first_seen              timestamptz NOT NULL,   -- logical date of the first run that found it mismatched
    -- Resolved: logical date of the latest run that found it mismatched. Open: logical date of the
    -- latest run that CHANGED the row (found it first, reopened it, changed its reasons); the runs
    -- since then found it too without a write (see sync.lifecycle_runs). Readers who want "the
    -- latest run that found it mismatched" for every row read sync.mismatch_lifecycle_seen.
    last_seen               timestamptz NOT NULL,
    resolved_at             timestamptz,            -- logical date of the run that no longer found it (open: NULL)
    resolution              text        CHECK (resolution IN ('fixed', 'removed')),  -- fixed: now matched; removed: gone
    reopened_count          integer     NOT NULL DEFAULT 0,
    reopened_at             timestamptz,            -- logical date of the latest reopening
    current_reasons         text[]      NOT NULL,   -- reasons in the latest run that found it (resolved: when last seen)
    previous_reasons        text[],                 -- reasons before they last changed (NULL: never changed)
    verdict                 text,                   -- latest verdict (see sync.mismatch_verdicts)
    verdict_by              text,
    verdict_at              timestamptz,
    verdict_comment         text,
    verdict_closed_at       timestamptz,            -- set when the mismatch resolved; the verdict is then history
    verdict_flagged         boolean     NOT NULL DEFAULT false,  -- reopened after a verdict: review it again
    run_id                  text        NOT NULL,   -- run that last changed the row (an unchanged open row is not rewritten)
    applied_date            timestamptz NOT NULL,   -- that run's logical date
    applied_at              timestamptz NOT NULL DEFAULT now(),
    -- Internal: the row's lifecycle before the run at applied_date, so a re-run of that date
    -- recomputes from the same starting point (prior_status NULL: the row was created by that run).
    prior_status            text,
    prior_last_seen         timestamptz,
    prior_resolved_at       timestamptz,
    prior_resolution        text,
    prior_reopened_count    integer,
    prior_reopened_at       timestamptz,
    prior_current_reasons   text[],
    prior_previous_reasons  text[],
    prior_verdict_closed_at timestamptz,
    prior_verdict_flagged   boolean,
    PRIMARY KEY (sector, dataset, source_key)
) WITH (fillfactor = 70);
-- Only the key is indexed and free space is left on each page, so a run's updates of open rows
-- (reasons, status, ...) are heap-only (HOT) updates.

-- Every run applied to a dataset's lifecycle (one row per logical date; a re-run of the date
-- replaces its row). A run writes only the lifecycle rows whose status or reasons it changes;
-- an open row is still seen by every run applied since its own last_seen.
CREATE TABLE IF NOT EXISTS sync.lifecycle_runs (
    sector       text        NOT NULL,
    dataset      text        NOT NULL,
    applied_date timestamptz NOT NULL,   -- the run's logical date
    run_id       text        NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sector, dataset, applied_date)
);

-- Migration (once, from a warehouse whose runs rewrote every open row): each dataset's latest
-- applied run, which every open row's last_seen then holds.
INSERT INTO sync.lifecycle_runs (sector, dataset, applied_date, run_id, applied_at)
SELECT DISTINCT ON (sector, dataset) sector, dataset, applied_date, run_id, applied_at
FROM sync.mismatch_lifecycle
WHERE NOT EXISTS (SELECT FROM sync.lifecycle_runs)
ORDER BY sector, dataset, applied_date DESC
ON CONFLICT DO NOTHING;

-- The lifecycle as it read before runs stopped rewriting unchanged open rows: the same columns,
-- last_seen of an open row being the dataset's latest applied run (every applied run found an
-- open row, or it would have been resolved). Readers (pages, API, CLI) read this view.
CREATE OR REPLACE VIEW sync.mismatch_lifecycle_seen AS
WITH latest_run AS (
    SELECT sector, dataset, max(applied_date) AS applied_date
    FROM sync.lifecycle_runs
    GROUP BY sector, dataset
)

SELECT
    lc.sector,
    lc.dataset,
    lc.source_key,
    lc.status,
    lc.first_seen,
    CASE
        WHEN lc.status = 'open' THEN greatest(lc.last_seen, latest_run.applied_date) ELSE lc.last_seen
    END AS last_seen,
    lc.resolved_at,
    lc.resolution,
    lc.reopened_count,
    lc.reopened_at,
    lc.current_reasons,
    lc.previous_reasons,
    lc.verdict,
    lc.verdict_by,
    lc.verdict_at,
    lc.verdict_comment,
    lc.verdict_closed_at,
    lc.verdict_flagged,
    lc.run_id,
    lc.applied_date,
    lc.applied_at,
    lc.last_seen AS last_changed
FROM sync.mismatch_lifecycle AS lc
LEFT JOIN latest_run ON latest_run.sector = lc.sector AND latest_run.dataset = lc.dataset;

-- Append-only history of verdicts given by sector teams.
CREATE TABLE IF NOT EXISTS sync.mismatch_verdicts (
    verdict_id  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sector      text        NOT NULL,
    dataset     text        NOT NULL,
    source_key  text        NOT NULL,
    verdict     text        NOT NULL
        CHECK (verdict IN ('acknowledged', 'fixing_at_source', 'register_wrong', 'not_fixable')),
    actor       text        NOT NULL,
    comment     text,
    reasons     text[]      NOT NULL,   -- the mismatch's reasons when the verdict was given
    first_seen  timestamptz NOT NULL,   -- identifies the mismatch the verdict is about
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (verdict <> 'not_fixable' OR length(btrim(coalesce(comment, ''))) > 0)
);

CREATE INDEX IF NOT EXISTS mismatch_verdicts_key ON sync.mismatch_verdicts (sector, dataset, source_key, verdict_id);

-- Records a sector team believes the register has wrong: exported daily for the register authority.
CREATE TABLE IF NOT EXISTS sync.register_feedback (
    feedback_id     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    verdict_id      bigint      NOT NULL UNIQUE REFERENCES sync.mismatch_verdicts (verdict_id),
    sector          text        NOT NULL,
    dataset         text        NOT NULL,
    source_key      text        NOT NULL,
    national_id     text,                   -- the register record the sector record links to
    reasons         text[]      NOT NULL,
    register_values jsonb       NOT NULL,   -- field -> the register's value
    sector_values   jsonb       NOT NULL,   -- field -> the sector's value
    comment         text,
    actor           text        NOT NULL,
    recorded_at     timestamptz NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'exported', 'withdrawn')),
    exported_at     timestamptz,
    export_file     text
);

CREATE INDEX IF NOT EXISTS register_feedback_pending ON sync.register_feedback (feedback_id) WHERE status = 'pending';

-- Lifecycle counts of each published run (NULL for runs that were not published).
SELECT pg_temp.add_column_if_missing('sync.sector_sync_rate', 'new_mismatches', 'bigint');
SELECT pg_temp.add_column_if_missing('sync.sector_sync_rate', 'resolved_mismatches', 'bigint');
SELECT pg_temp.add_column_if_missing('sync.sector_sync_rate', 'reopened_mismatches', 'bigint');
SELECT pg_temp.add_column_if_missing('sync.sector_sync_rate', 'open_mismatches', 'bigint');
