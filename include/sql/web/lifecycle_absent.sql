-- The lifecycle relation the workbench joins when the review tables do not exist: empty.
-- Inputs: none.
SELECT
    NULL::text AS sector,
    NULL::text AS dataset,
    NULL::text AS source_key,
    NULL::text AS verdict,
    NULL::integer AS reopened_count
WHERE false
