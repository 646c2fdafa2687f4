-- The transaction's table of register rows changed since the last sync, shaped like the mirror;
-- reference/merge_persons.sql applies it. No parameters.
CREATE TEMPORARY TABLE persons_changes (LIKE reference.persons) ON COMMIT DROP;
