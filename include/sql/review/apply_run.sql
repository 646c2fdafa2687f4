-- Apply one published run to sync.mismatch_lifecycle, set-based, inside the publish transaction.
-- Inputs: {mismatches}, {matches}: the run's result tables (being attached as the published partitions);
-- parameters sector, dataset, logical_date, run_id, incremental.
-- Idempotent per logical date: rows the run at the same logical date changed before (applied_date =
-- logical_date) start again from their prior_* state, so a re-run gives the same lifecycle.
-- Writes only the rows whose status or reasons change (and the rows a replaced run of this date
-- changed): an open mismatch found again with the same reasons is not rewritten, its being seen
-- is recorded once per run in sync.lifecycle_runs (review/record_run.sql, the next statement).
-- An incremental run (parameter incremental; {excluded}: its excluded-keys table, the keys it
-- classified again or dropped) looks only at those keys and at the rows a replaced run of this
-- date changed. Every other record is carried over as the published run left it: a carried
-- mismatch is found again with the same reasons (no write), a carried match changes nothing.
-- So the statement costs what changed, not what is open (docs/running.md, "Incremental runs").
WITH replaced_keys AS (
    SELECT lifecycle.source_key
    FROM sync.mismatch_lifecycle AS lifecycle
    WHERE lifecycle.sector = %(sector)s AND lifecycle.dataset = %(dataset)s
        AND lifecycle.applied_date = %(logical_date)s
),

run_mismatches AS (
    -- a repeated source key (only when the gate lets duplicates through) counts once
    SELECT source_key, min(reasons) AS reasons
    FROM {mismatches} AS mismatches
    WHERE mismatches.source_key IS NOT NULL
        AND (
            NOT %(incremental)s
            OR mismatches.source_key IN (SELECT excluded.source_key FROM {excluded} AS excluded)
            OR mismatches.source_key IN (SELECT source_key FROM replaced_keys)
        )
    GROUP BY source_key
),

stored AS (
    -- rows this run can change: open ones, ones changed by a replaced run of this date, and reopenings
    SELECT lifecycle.*, lifecycle.applied_date = %(logical_date)s AS replaced
    FROM sync.mismatch_lifecycle AS lifecycle
    WHERE lifecycle.sector = %(sector)s AND lifecycle.dataset = %(dataset)s
        AND (
            NOT %(incremental)s
            OR lifecycle.applied_date = %(logical_date)s
            OR lifecycle.source_key IN (SELECT excluded.source_key FROM {excluded} AS excluded)
        )
        AND (
            lifecycle.status = 'open'
            OR lifecycle.applied_date = %(logical_date)s
            OR lifecycle.source_key IN (SELECT source_key FROM run_mismatches)
        )
),

previous_run AS (
    -- the latest run applied before this logical date: the last to find the rows still open before it
    SELECT max(applied_date) AS applied_date
    FROM sync.lifecycle_runs
    WHERE sector = %(sector)s AND dataset = %(dataset)s AND applied_date < %(logical_date)s
),

before_run AS (
    -- each row's lifecycle before this logical date (status NULL: created by a replaced run of this date)
    SELECT
        source_key,
        replaced,
        CASE WHEN replaced THEN prior_status ELSE status END AS status,
        CASE WHEN replaced THEN prior_last_seen ELSE last_seen END AS last_seen,
        CASE WHEN replaced THEN prior_resolved_at ELSE resolved_at END AS resolved_at,
        CASE WHEN replaced THEN prior_resolution ELSE resolution END AS resolution,
        CASE WHEN replaced THEN prior_reopened_count ELSE reopened_count END AS reopened_count,
        CASE WHEN replaced THEN prior_reopened_at ELSE reopened_at END AS reopened_at,
        CASE WHEN replaced THEN prior_current_reasons ELSE current_reasons END AS current_reasons,
        CASE WHEN replaced THEN prior_previous_reasons ELSE previous_reasons END AS previous_reasons,
        CASE WHEN replaced THEN prior_verdict_closed_at ELSE verdict_closed_at END AS verdict_closed_at,
        CASE WHEN replaced THEN prior_verdict_flagged ELSE verdict_flagged END AS verdict_flagged,
        verdict IS NOT NULL AS has_verdict,
        -- a verdict given after the replaced run of this date was given on what that run showed
        coalesce(replaced AND verdict_at > applied_at, false) AS reviewed_since
    FROM stored
),

disappeared AS (
    -- open mismatches this run no longer finds: resolved now (usually few)
    SELECT before_run.source_key
    FROM before_run
    WHERE before_run.status = 'open'
        AND NOT EXISTS (SELECT FROM run_mismatches WHERE run_mismatches.source_key = before_run.source_key)
),

fixed AS (
    -- the disappeared whose record is now matched (the others were removed)
    SELECT DISTINCT matches.source_key
    FROM {matches} AS matches
    WHERE matches.source_key IN (SELECT source_key FROM disappeared)
),

transitions AS (
    SELECT
        coalesce(before_run.source_key, run_mismatches.source_key) AS source_key,
        before_run.replaced,
        before_run.status,
        before_run.last_seen,
        before_run.resolved_at,
        before_run.resolution,
        before_run.reopened_count,
        before_run.reopened_at,
        before_run.current_reasons,
        before_run.previous_reasons,
        before_run.verdict_closed_at,
        before_run.verdict_flagged,
        before_run.has_verdict,
        before_run.reviewed_since,
        run_mismatches.reasons AS run_reasons,
        fixed.source_key IS NOT NULL AS is_fixed,
        (SELECT applied_date FROM previous_run) AS previous_run_date,
        CASE
            WHEN run_mismatches.source_key IS NOT NULL AND before_run.status IS NULL THEN 'new'
            WHEN run_mismatches.source_key IS NOT NULL AND before_run.status = 'open' THEN 'still_open'
            WHEN run_mismatches.source_key IS NOT NULL THEN 'reopened'
            WHEN before_run.status = 'open' THEN 'resolved'
            WHEN before_run.status = 'resolved' THEN 'unchanged'
            ELSE 'gone'
        END AS change
    FROM before_run
    FULL JOIN run_mismatches ON run_mismatches.source_key = before_run.source_key
    LEFT JOIN fixed ON fixed.source_key = before_run.source_key
),

changes AS (
    -- what the run writes: everything but open mismatches found again with the same reasons
    SELECT *
    FROM transitions
    WHERE NOT (
        transitions.change = 'still_open'
        AND NOT transitions.replaced
        AND transitions.run_reasons IS NOT DISTINCT FROM transitions.current_reasons
    )
)

MERGE INTO sync.mismatch_lifecycle AS lifecycle
USING changes AS transitions
    ON lifecycle.sector = %(sector)s AND lifecycle.dataset = %(dataset)s
    AND lifecycle.source_key = transitions.source_key
WHEN MATCHED AND transitions.change = 'gone' THEN DELETE
WHEN MATCHED THEN UPDATE SET
    status = CASE WHEN transitions.change IN ('resolved', 'unchanged') THEN 'resolved' ELSE 'open' END,
    first_seen = CASE WHEN transitions.change = 'new' THEN %(logical_date)s ELSE lifecycle.first_seen END,
    last_seen = CASE
        -- open before this date: the latest run before it found it (its stored last_seen may be older)
        WHEN transitions.change = 'resolved' THEN greatest(transitions.last_seen, transitions.previous_run_date)
        WHEN transitions.change = 'unchanged' THEN transitions.last_seen
        ELSE %(logical_date)s
    END,
    resolved_at = CASE
        WHEN transitions.change = 'resolved' THEN %(logical_date)s
        WHEN transitions.change = 'unchanged' THEN transitions.resolved_at
    END,
    resolution = CASE
        WHEN transitions.change = 'resolved' THEN CASE WHEN transitions.is_fixed THEN 'fixed' ELSE 'removed' END
        WHEN transitions.change = 'unchanged' THEN transitions.resolution
    END,
    reopened_count = CASE
        WHEN transitions.change = 'new' THEN 0
        WHEN transitions.change = 'reopened' THEN transitions.reopened_count + 1
        ELSE transitions.reopened_count
    END,
    reopened_at = CASE
        WHEN transitions.change = 'new' THEN NULL
        WHEN transitions.change = 'reopened' THEN %(logical_date)s
        ELSE transitions.reopened_at
    END,
    current_reasons = coalesce(transitions.run_reasons, transitions.current_reasons),
    previous_reasons = CASE
        WHEN transitions.change = 'new' THEN NULL
        WHEN transitions.run_reasons IS DISTINCT FROM transitions.current_reasons
            AND transitions.run_reasons IS NOT NULL THEN transitions.current_reasons
        ELSE transitions.previous_reasons
    END,
    verdict_closed_at = CASE
        WHEN transitions.change = 'resolved' AND transitions.has_verdict THEN %(logical_date)s
        WHEN transitions.change IN ('new', 'reopened') THEN NULL
        ELSE transitions.verdict_closed_at
    END,
    verdict_flagged = CASE
        WHEN transitions.reviewed_since THEN false
        WHEN transitions.change = 'reopened' THEN transitions.has_verdict
        WHEN transitions.change IN ('new', 'resolved') THEN false
        ELSE coalesce(transitions.verdict_flagged, false)
    END,
    run_id = %(run_id)s,
    applied_date = %(logical_date)s,
    applied_at = CASE WHEN transitions.replaced THEN lifecycle.applied_at ELSE now() END,
    prior_status = transitions.status,
    prior_last_seen = transitions.last_seen,
    prior_resolved_at = transitions.resolved_at,
    prior_resolution = transitions.resolution,
    prior_reopened_count = transitions.reopened_count,
    prior_reopened_at = transitions.reopened_at,
    prior_current_reasons = transitions.current_reasons,
    prior_previous_reasons = transitions.previous_reasons,
    prior_verdict_closed_at = transitions.verdict_closed_at,
    prior_verdict_flagged = transitions.verdict_flagged
WHEN NOT MATCHED THEN INSERT (
    sector, dataset, source_key, status, first_seen, last_seen, reopened_count, current_reasons,
    run_id, applied_date, applied_at
) VALUES (
    %(sector)s, %(dataset)s, transitions.source_key, 'open', %(logical_date)s, %(logical_date)s, 0,
    transitions.run_reasons, %(run_id)s, %(logical_date)s, now()
)
