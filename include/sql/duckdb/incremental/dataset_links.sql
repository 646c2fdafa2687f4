-- The dataset_links of an incremental run (DuckDB): the links of the records classified again
-- (reconciled) plus those of the records carried over (carried_state). Output: national_id, records.
-- Same meaning as ../dataset_links.sql: the persons the whole dataset links to.
WITH links AS (
    SELECT linked_national_id AS national_id FROM reconciled WHERE is_linked
    UNION ALL
    SELECT linked_national_id FROM carried_state WHERE is_linked
)

SELECT
    national_id,
    count(*) AS records
FROM links
GROUP BY national_id
