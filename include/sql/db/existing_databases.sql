-- Which of some databases exist on the server, by name.
-- Inputs: %(names)s text[].
SELECT databases.datname
FROM pg_catalog.pg_database AS databases
WHERE databases.datname = ANY(%(names)s)
ORDER BY databases.datname;
