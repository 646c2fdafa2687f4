-- The dataset_links of an incremental run (DuckDB): the links of the records classified again
-- (reconciled) plus those of the records carried over (carried_state). Output: national_id, records.
-- Same meaning as ../dataset_links.sql: the persons the whole dataset links to.
-- Placeholder: in `classified`, the text of ../dataset_links.sql (the classified records' links).
-- Each side is counted on its own, then the two counts are added: one GROUP BY over the UNION ALL
-- of both ran out of a task's DuckDB share at 10M (8.7M carried links, a 456 MB share, one
-- thread: benchmarks/results/incremental-links-10m.md), where these two aggregates fit in 250 MB.
WITH carried AS (
    SELECT
        linked_national_id AS national_id,
        count(*) AS records
    FROM carried_state
    WHERE is_linked
    GROUP BY linked_national_id
),

classified AS (
    -- ../dataset_links.sql (placeholder replaced by reconcile.link_records)
    __dataset_links_sql__
)

SELECT
    coalesce(carried.national_id, classified.national_id) AS national_id,
    coalesce(carried.records, 0) + coalesce(classified.records, 0) AS records
FROM carried
FULL JOIN classified ON classified.national_id = carried.national_id
