"""Remove a test-only sector from the warehouse, so later tests see only the shipped sectors."""

import psycopg
from psycopg import sql

from popsync.settings import Settings

_SECTOR_TABLES = """
SELECT table_name FROM information_schema.columns AS c
JOIN pg_catalog.pg_class AS t ON t.relname = c.table_name
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace AND n.nspname = c.table_schema
WHERE c.table_schema = 'sync' AND c.column_name = 'sector' AND t.relkind IN ('r', 'p') AND NOT t.relispartition
ORDER BY 1
"""


def forget_sector(settings: Settings, sector: str) -> None:
    """Drop the sector's partitions and delete its rows from every ``sync`` table and the registry."""
    with psycopg.connect(settings.database_url_for("popsync_warehouse"), autocommit=True) as conn:
        for kind in ("matches", "mismatches", "suggestion_candidates"):
            conn.execute(
                sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                    sql.Identifier("sync_partitions", f"{kind}__{sector}")
                )
            )
        for (table,) in conn.execute(_SECTOR_TABLES).fetchall():
            try:
                conn.execute(
                    sql.SQL("DELETE FROM {} WHERE sector = %s").format(sql.Identifier("sync", table)), (sector,)
                )
            except psycopg.Error:
                continue  # an append-only table (the audit trail) keeps its history
        conn.execute("DELETE FROM staging.run_tables WHERE sector = %s", (sector,))
