-- Privileges popsync's roles hold on the relations of schema `sync`, one row per privilege.
-- Inputs: none.
WITH contract AS (
    SELECT c.relname, c.relacl
    FROM pg_catalog.pg_class AS c
    INNER JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = 'sync' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
),

granted AS (
    SELECT contract.relname, acl.grantee, acl.privilege_type
    FROM contract
    CROSS JOIN LATERAL aclexplode(contract.relacl) AS acl
)

SELECT granted.relname, roles.rolname, granted.privilege_type
FROM granted
INNER JOIN pg_catalog.pg_roles AS roles ON roles.oid = granted.grantee
WHERE roles.rolname LIKE 'popsync\_%'
ORDER BY 1, 2, 3;
