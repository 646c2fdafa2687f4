-- The partitions of a partitioned table and the bound of each ("FOR VALUES IN ('…')"), for
-- pipeline/carried.py. Parameters: %(schema)s, %(name)s (the parent). Inputs: pg_inherits.
WITH children AS (
    SELECT inheritance.inhrelid AS child
    FROM pg_catalog.pg_inherits AS inheritance
    WHERE inheritance.inhparent = (quote_ident(%(schema)s) || '.' || quote_ident(%(name)s))::regclass
)

SELECT child_schema.nspname, child_table.relname, pg_catalog.pg_get_expr(child_table.relpartbound, child_table.oid)
FROM children
JOIN pg_catalog.pg_class AS child_table ON child_table.oid = children.child
JOIN pg_catalog.pg_namespace AS child_schema ON child_schema.oid = child_table.relnamespace
ORDER BY child_schema.nspname, child_table.relname
