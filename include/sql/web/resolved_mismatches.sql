-- One page of resolved mismatches for the workbench (status filter 'resolved'): records a run
-- found mismatched that a later run no longer found so (now matched, or gone from the source),
-- from the lifecycle. Same columns and parameters as web/mismatches.sql, so pages, cursors and
-- exports read both alike; the review tables must exist (without them the workbench uses
-- web/mismatches.sql, where 'resolved' selects nothing).
-- Columns a resolved record no longer has in sync.mismatches are NULL (national_id,
-- linked_national_id, province_code); reasons are those of the last run that found it.
-- Inputs: the parameters of web/mismatches.sql (%(province)s, %(province_members)s: no resolved row
--         has a province;
--         %(search)s matches the source key only).
WITH resolved AS (
    SELECT
        lc.sector,
        lc.dataset,
        lc.source_key,
        NULL::text AS national_id,
        NULL::text AS linked_national_id,
        NULL::text AS province_code,
        lc.current_reasons AS reasons,
        lc.first_seen,
        'resolved'::text AS status,
        lc.verdict,
        lc.run_id
    FROM sync.mismatch_lifecycle AS lc
    WHERE lc.status = 'resolved'
      AND lc.sector = ANY(%(sectors)s::text[])
      AND (%(dataset)s::text IS NULL OR lc.dataset = %(dataset)s::text)
      AND %(province)s::text IS NULL
      AND %(province_members)s::text[] IS NULL
      AND (
          %(reasons)s::text[] IS NULL
          OR (%(all_reasons)s::boolean AND lc.current_reasons @> %(reasons)s::text[])
          OR (NOT %(all_reasons)s::boolean AND lc.current_reasons && %(reasons)s::text[])
      )
      AND (%(min_age_days)s::int IS NULL OR lc.first_seen <= now() - make_interval(days => %(min_age_days)s::int))
      AND (%(max_age_days)s::int IS NULL OR lc.first_seen >= now() - make_interval(days => %(max_age_days)s::int))
      AND %(status)s::text = 'resolved'
      AND (%(verdict)s::text IS NULL OR coalesce(lc.verdict, 'none') = %(verdict)s::text)
      AND (%(search)s::text IS NULL OR lc.source_key = %(search)s::text)
      AND (
          %(after_sector)s::text IS NULL
          OR (lc.sector, lc.dataset, lc.source_key) > (%(after_sector)s::text, %(after_dataset)s::text, %(after_key)s::text)
      )
)

SELECT sector, dataset, source_key, national_id, linked_national_id, province_code, reasons, first_seen, status, verdict, run_id
FROM resolved
ORDER BY sector, dataset, source_key
LIMIT %(limit)s::bigint;
