-- Whether the connected user may create roles (superuser or CREATEROLE).
-- Inputs: none.
SELECT rolsuper OR rolcreaterole
FROM pg_catalog.pg_roles
WHERE rolname = current_user;
