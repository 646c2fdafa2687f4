-- Sequences of schema `sync` the pipeline's role may not use yet.
-- Inputs: pipeline_role.
WITH sync_sequences AS MATERIALIZED (
    SELECT c.oid, c.relname
    FROM pg_catalog.pg_class AS c
    INNER JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = 'sync' AND c.relkind = 'S'
)

SELECT sync_sequences.relname
FROM sync_sequences
WHERE NOT has_sequence_privilege(%(pipeline_role)s, sync_sequences.oid, 'USAGE')
ORDER BY 1;
