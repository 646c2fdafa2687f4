-- Register persons a dataset can link to: by 12-digit ID, or by former CMND (DuckDB).
-- `persons_source` is replaced by the register snapshot; `wanted_ids` holds the dataset's IDs.
-- One scan of the snapshot: a person is kept once, whichever of the two IDs is wanted.
WITH wanted AS (
    SELECT national_id FROM wanted_ids
)

SELECT persons.*
FROM persons_source AS persons
WHERE persons.national_id IN (SELECT national_id FROM wanted)
    OR persons.former_cmnd IN (SELECT national_id FROM wanted)
