-- popsync's group roles that exist on the server, and whether each may use schema `sync`.
-- Inputs: none.
SELECT
    roles.rolname,
    has_schema_privilege(roles.oid, 'sync', 'USAGE') AS uses_sync
FROM pg_catalog.pg_roles AS roles
WHERE roles.rolname LIKE 'popsync\_%'
ORDER BY 1;
