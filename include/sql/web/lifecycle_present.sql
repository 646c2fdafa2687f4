-- The lifecycle relation the workbench joins (review tables present).
-- Inputs: none.
SELECT lc.sector, lc.dataset, lc.source_key, lc.verdict, lc.reopened_count
FROM sync.mismatch_lifecycle AS lc
