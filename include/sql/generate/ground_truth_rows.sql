-- How many ground-truth rows the generator wrote for one dataset (PostgreSQL, sector database).
-- Parameters: %(dataset)s. Run only when generate/ground_truth_present.sql says the table is there.
WITH truth AS (
    SELECT source_key
    FROM ground_truth.expected
    WHERE dataset = %(dataset)s
)

SELECT count(*) AS truth_rows
FROM truth
