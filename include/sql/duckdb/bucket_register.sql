-- The register persons of one bucket of a split run, one row each (DuckDB).
-- Inputs: bucket_persons (the bucket's files written by the plan from bucket_registers.sql: the
--         register's columns and linkable, a person once per key that reached it).
-- Output: the register's columns and linkable (true when some key that reached the person is an ID
--         of the bucket's records: the person is in linkable_persons.sql's set).
-- `register` is the linkable rows, `register_all` every row (docs/running.md, "Partitioned dataset runs").
WITH reached AS (
    SELECT * FROM bucket_persons
)

SELECT
    reached.* EXCLUDE (linkable),
    bool_or(reached.linkable) OVER (PARTITION BY reached.national_id) AS linkable
FROM reached
QUALIFY row_number() OVER (PARTITION BY reached.national_id) = 1
