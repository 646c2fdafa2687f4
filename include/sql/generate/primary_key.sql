-- A table's primary key: its name and definition, to drop it before a bulk load and add it back
-- after. Inputs: %(table)s text — schema-qualified name.
SELECT constraints.conname, pg_get_constraintdef(constraints.oid) AS definition
FROM pg_catalog.pg_constraint AS constraints
WHERE constraints.conrelid = %(table)s::regclass AND constraints.contype = 'p';
