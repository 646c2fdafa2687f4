-- Register persons a dataset can link to: by 12-digit ID, or by former CMND (DuckDB).
-- `persons_source` is replaced by the register snapshot; `wanted_ids` holds the dataset's IDs.
WITH persons AS (
    SELECT * FROM persons_source
),

by_national_id AS (
    SELECT persons.*
    FROM persons
    WHERE national_id IN (SELECT national_id FROM wanted_ids)
),

by_former_cmnd AS (
    SELECT persons.*
    FROM persons
    WHERE former_cmnd IN (SELECT national_id FROM wanted_ids)
        AND national_id NOT IN (SELECT national_id FROM wanted_ids)
)

SELECT * FROM by_national_id
UNION ALL
SELECT * FROM by_former_cmnd
