-- DuckDB: the register snapshot's rows — the mirror as read (persons_reader, reference/persons.sql)
-- with each person's name key and that key without diacritics (what the suggested-ID search looks
-- names written without diacritics up by), computed once here rather than in every reconcile run.
-- Inputs: the relation persons_reader; the name_key and fold_key macros (duckdb/macros.sql).
SELECT keyed.*, fold_key(keyed.name_key) AS folded_key
FROM (SELECT persons_reader.*, name_key(persons_reader.full_name) AS name_key FROM persons_reader) AS keyed
