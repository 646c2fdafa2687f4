-- The type of a dataset's key column, for a cast (PostgreSQL; sources/postgres.py: reading records by
-- key through the source's index). Placeholders, filled by psycopg's sql composition: the body of
-- `extracted` is the dataset's extract query, the selected column its key column.
-- Output: one row (none when the source is empty).
WITH extracted AS (
{body}
)

SELECT CASE pg_typeof({key})::text WHEN 'character' THEN 'bpchar' ELSE pg_typeof({key})::text END AS key_type
FROM extracted
LIMIT 1
