-- DuckDB: the register snapshot's rows — the mirror as read (persons_reader, reference/persons.sql)
-- with each person's name key and that key without diacritics (what the suggested-ID search looks
-- names written without diacritics up by), computed once here rather than in every reconcile run,
-- and the key slot of the person's ID (macros.sql: key_slot; the snapshot is stored in its order,
-- so a bucket of a split run reads only its stretch).
-- Inputs: the relation persons_reader; the name_key, fold_key and key_slot macros (duckdb/macros.sql).
SELECT keyed.*, fold_key(keyed.name_key) AS folded_key, key_slot(keyed.national_id) AS key_slot
FROM (SELECT persons_reader.*, name_key(persons_reader.full_name) AS name_key FROM persons_reader) AS keyed
