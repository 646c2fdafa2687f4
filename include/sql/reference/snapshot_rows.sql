-- DuckDB: the register snapshot's rows — the mirror as read (persons_reader, reference/persons.sql)
-- with each person's name key, computed once here rather than in every reconcile run.
-- Inputs: the relation persons_reader; the name_key macro (duckdb/macros.sql).
SELECT persons_reader.*, name_key(persons_reader.full_name) AS name_key
FROM persons_reader
