-- The relations access control covers: every table and view of the public contract (schema `sync`),
-- partitioned parents only (never their partitions), with what the role set-up needs to know of each.
-- Inputs: none.
WITH contract AS (
    SELECT
        c.oid,
        c.relname,
        c.relkind,
        c.relrowsecurity,
        coalesce(c.reloptions, '{}'::text[]) AS reloptions
    FROM pg_catalog.pg_class AS c
    INNER JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE
        n.nspname = 'sync'
        AND c.relkind IN ('r', 'p', 'v', 'm')
        AND NOT c.relispartition
),

sector_columns AS (
    SELECT a.attrelid
    FROM pg_catalog.pg_attribute AS a
    WHERE a.attname = 'sector' AND a.attnum > 0 AND NOT a.attisdropped
)

SELECT
    contract.relname,
    contract.relkind,
    contract.relrowsecurity,
    EXISTS (SELECT 1 FROM sector_columns WHERE sector_columns.attrelid = contract.oid) AS has_sector,
    EXISTS (
        SELECT 1
        FROM unnest(contract.reloptions) AS opt (option)
        WHERE lower(opt.option) IN (
            'security_invoker=true', 'security_invoker=on', 'security_invoker=yes', 'security_invoker=1'
        )
    ) AS security_invoker
FROM contract
ORDER BY contract.relname;
