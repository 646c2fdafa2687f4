"""Warehouse schema management."""

from typing import Any

import psycopg

from popsync.db.access import ensure_roles
from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.sectors import load_sectors
from popsync.settings import WAREHOUSE_CONN_ID

_SCHEMA_LOCK = 727_001

# Applied in this order; each file is idempotent. New areas append their DDL file here.
WAREHOUSE_DDL_FILES: tuple[str, ...] = (
    "warehouse/schema.sql",
    "warehouse/run_tables.sql",
    "warehouse/audit.sql",
    "warehouse/suggestions.sql",
    "warehouse/buckets.sql",
    "review/schema.sql",
    "web/indexes.sql",
    "warehouse/views.sql",
)


def ensure_warehouse_schema(conn: psycopg.Connection[tuple[Any, ...]] | None = None) -> None:
    """Create the warehouse schemas, tables, views and access roles if missing (idempotent, serialised)."""
    owns = conn is None
    connection = conn or connect(WAREHOUSE_CONN_ID)
    try:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            for ddl_file in WAREHOUSE_DDL_FILES:
                connection.execute(read_sql(ddl_file).encode())
            ensure_roles(connection, [sector.sector for sector in load_sectors()])
    finally:
        if owns:
            connection.close()
