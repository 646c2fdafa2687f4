-- The lifecycle relation the workbench joins (review tables present): the current verdict only
-- (a verdict closed when its mismatch resolved is history).
-- Inputs: none.
SELECT
    lc.sector,
    lc.dataset,
    lc.source_key,
    CASE WHEN lc.verdict_closed_at IS NULL THEN lc.verdict END AS verdict,
    lc.reopened_count
FROM sync.mismatch_lifecycle AS lc
