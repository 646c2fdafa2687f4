-- The indexes of a partitioned parent (sync.matches or sync.mismatches), as "USING method (columns)
-- [WHERE ...]", so that a run's table gets the same indexes before it is attached: PostgreSQL then
-- attaches them instead of building them inside the publish transaction.
-- Parameter: parent (the parent's qualified name).
WITH parent_indexes AS (
    SELECT pg_get_indexdef(index_entry.indexrelid) AS definition
    FROM pg_index AS index_entry
    WHERE index_entry.indrelid = %(parent)s::regclass
)

SELECT substring(definition FROM ' USING .*$') AS method_and_columns
FROM parent_indexes
ORDER BY definition
