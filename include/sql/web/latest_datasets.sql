-- Latest run of every dataset (contract view) with the previous run's sync rate.
-- Newly mismatched / resolved records come from the lifecycle columns of sync.sector_sync_rate
-- (added by the review workflow); read through to_jsonb so that they are NULL where absent.
-- active_*: the rate over records in force (NULL for datasets without is_active).
-- Inputs: %(sectors)s text[] — the sectors the user may see.
WITH ranked AS (
    SELECT
        rates.sector,
        rates.dataset,
        rates.sync_rate,
        rates.quality_warnings,
        rates.run_id,
        (to_jsonb(rates) ->> 'new_mismatches')::bigint AS new_mismatches,
        (to_jsonb(rates) ->> 'resolved_mismatches')::bigint AS resolved_mismatches,
        row_number() OVER (
            PARTITION BY rates.sector, rates.dataset ORDER BY rates.logical_date DESC, rates.published_at DESC
        ) AS recency
    FROM sync.sector_sync_rate AS rates
    WHERE rates.sector = ANY(%(sectors)s)
),

previous AS (
    SELECT ranked.sector, ranked.dataset, ranked.sync_rate AS previous_rate
    FROM ranked
    WHERE ranked.recency = 2
),

current_warnings AS (
    SELECT
        ranked.sector, ranked.dataset, ranked.quality_warnings, ranked.new_mismatches, ranked.resolved_mismatches
    FROM ranked
    WHERE ranked.recency = 1
)

SELECT
    latest.sector,
    latest.dataset,
    latest.run_id,
    latest.logical_date,
    latest.total,
    latest.matched,
    latest.mismatched,
    latest.sync_rate,
    latest.quality_status,
    previous.previous_rate,
    coalesce(jsonb_array_length(current_warnings.quality_warnings), 0) AS warning_count,
    current_warnings.new_mismatches,
    current_warnings.resolved_mismatches,
    latest.active_total,
    latest.active_matched,
    latest.active_sync_rate
FROM sync.latest_sync_rate AS latest
LEFT JOIN previous ON previous.sector = latest.sector AND previous.dataset = latest.dataset
LEFT JOIN current_warnings ON current_warnings.sector = latest.sector AND current_warnings.dataset = latest.dataset
WHERE latest.sector = ANY(%(sectors)s)
ORDER BY latest.sector, latest.dataset;
