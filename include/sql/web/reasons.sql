-- Records per reason code over the latest run of each selected dataset.
-- Inputs: %(sectors)s text[]; %(dataset)s text or NULL.
WITH latest AS (
    SELECT runs.reason_counts
    FROM sync.latest_sync_rate AS runs
    WHERE runs.sector = ANY(%(sectors)s)
      AND (%(dataset)s::text IS NULL OR runs.dataset = %(dataset)s::text)
),

counts AS (
    SELECT entry.key AS reason, entry.value::bigint AS records
    FROM latest
    CROSS JOIN LATERAL jsonb_each_text(latest.reason_counts) AS entry
)

SELECT counts.reason, sum(counts.records)::bigint AS records
FROM counts
GROUP BY counts.reason
ORDER BY records DESC, counts.reason;
