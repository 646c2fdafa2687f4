-- The column a partitioned table is partitioned by (no row: a plain table), for pipeline/carried.py.
-- Parameters: %(schema)s, %(name)s (the table). Inputs: pg_partitioned_table, pg_attribute.
WITH partitioned AS (
    SELECT partrelid, partattrs[0] AS attnum
    FROM pg_catalog.pg_partitioned_table
    WHERE partrelid = (quote_ident(%(schema)s) || '.' || quote_ident(%(name)s))::regclass
)

SELECT attribute.attname
FROM partitioned
JOIN pg_catalog.pg_attribute AS attribute
    ON attribute.attrelid = partitioned.partrelid AND attribute.attnum = partitioned.attnum
