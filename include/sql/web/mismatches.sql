-- One page of the mismatch workbench (keyset pagination on sector, dataset, source_key),
-- or every row of the filter for an export (%(limit)s NULL, no cursor).
-- Inputs:
--   lifecycle (placeholder) a relation (sector, dataset, source_key, verdict, reopened_count):
--                        web/lifecycle_present.sql or web/lifecycle_absent.sql
--   %(sectors)s text[]   sectors to list (already limited to the user's)
--   %(dataset)s, %(province)s, %(search)s text or NULL; %(search_id)s the term with ID separators removed
--   %(province_members)s text[] or NULL: the province codes (as recorded, either table) of one current
--                        province, from reference.provinces (a former province's rows under its successor)
--   %(reasons)s text[] or NULL; %(all_reasons)s boolean (every reason vs any of them)
--   %(min_age_days)s, %(max_age_days)s int or NULL: days since first seen
--   %(status)s 'new' | 'recurring' | 'reopened' or NULL; %(verdict)s verdict, 'none' or NULL
--   %(after_sector)s, %(after_dataset)s, %(after_key)s: the last row of the previous page, or NULL
--   %(limit)s int or NULL
-- Also reads sync.published_runs (the run and logical date shown for each dataset).
WITH lifecycle AS (
    {lifecycle}
)

SELECT
    m.sector,
    m.dataset,
    m.source_key,
    m.national_id,
    m.linked_national_id,
    m.province_code,
    m.reasons,
    m.first_seen,
    CASE
        WHEN m.first_seen >= published.logical_date THEN 'new'
        WHEN coalesce(life.reopened_count, 0) > 0 THEN 'reopened'
        ELSE 'recurring'
    END AS status,
    life.verdict,
    published.run_id
FROM sync.mismatches AS m
-- A lateral lookup (one primary-key probe per row, in key order) rather than a join: the planner
-- misestimates a three-column join and would hash the whole lifecycle table for a 50-row page.
LEFT JOIN LATERAL (
    SELECT lc.verdict, lc.reopened_count
    FROM lifecycle AS lc
    WHERE lc.sector = m.sector AND lc.dataset = m.dataset AND lc.source_key = m.source_key
    OFFSET 0
) AS life ON true
-- The published run of the row's dataset (one primary-key probe): a row an incremental run carried
-- over keeps the run_id and logical_date of the run that classified it (docs/data-contract.md), so
-- "new" and the run shown are the published run's, as after a full run (the row's own when the
-- reader cannot see the published run).
LEFT JOIN LATERAL (
    SELECT coalesce(runs.run_id, m.run_id) AS run_id, coalesce(runs.logical_date, m.logical_date) AS logical_date
    FROM (SELECT 1) AS probe
    LEFT JOIN sync.published_runs AS runs ON runs.sector = m.sector AND runs.dataset = m.dataset
    OFFSET 0
) AS published ON true
WHERE m.sector = ANY(%(sectors)s::text[])
  AND (%(dataset)s::text IS NULL OR m.dataset = %(dataset)s::text)
  AND (%(province)s::text IS NULL OR m.province_code = %(province)s::text)
  AND (%(province_members)s::text[] IS NULL OR m.province_code = ANY(%(province_members)s::text[]))
  AND (
      %(reasons)s::text[] IS NULL
      OR (%(all_reasons)s::boolean AND m.reasons @> %(reasons)s::text[])
      OR (NOT %(all_reasons)s::boolean AND m.reasons && %(reasons)s::text[])
  )
  AND (%(min_age_days)s::int IS NULL OR m.first_seen <= now() - make_interval(days => %(min_age_days)s::int))
  AND (%(max_age_days)s::int IS NULL OR m.first_seen >= now() - make_interval(days => %(max_age_days)s::int))
  AND (
      %(status)s::text IS NULL
      OR (%(status)s::text = 'new' AND m.first_seen >= published.logical_date)
      OR (%(status)s::text = 'reopened' AND m.first_seen < published.logical_date AND life.reopened_count > 0)
      OR (
          %(status)s::text = 'recurring' AND m.first_seen < published.logical_date AND coalesce(life.reopened_count, 0) = 0
      )
  )
  AND (%(verdict)s::text IS NULL OR coalesce(life.verdict, 'none') = %(verdict)s::text)
  AND (
      %(search)s::text IS NULL
      OR m.source_key = %(search)s::text
      OR m.national_id = %(search_id)s::text
      OR m.linked_national_id = %(search_id)s::text
  )
  AND (
      %(after_sector)s::text IS NULL
      OR (m.sector, m.dataset, m.source_key) > (%(after_sector)s::text, %(after_dataset)s::text, %(after_key)s::text)
  )
ORDER BY m.sector, m.dataset, m.source_key
LIMIT %(limit)s::bigint;
