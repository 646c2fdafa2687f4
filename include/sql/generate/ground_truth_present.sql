-- Whether the sector database holds the generator's ground truth (PostgreSQL, sector database).
-- Parameters: none. A database whose data popsync did not generate has no such table.
WITH truth_table AS (
    SELECT to_regclass('ground_truth.expected') AS relation
)

SELECT relation IS NOT NULL AS present
FROM truth_table
