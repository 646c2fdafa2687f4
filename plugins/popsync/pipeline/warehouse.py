"""Warehouse schema management."""

from dataclasses import asdict
from typing import Any

import psycopg

from popsync.db.access import ensure_roles
from popsync.db.connections import connect
from popsync.db.locks import SCHEMA_LOCK, lock_transaction
from popsync.db.sql_files import read_sql
from popsync.domain.provinces_now import province_rows
from popsync.sectors import load_sectors
from popsync.settings import WAREHOUSE_CONN_ID

# Applied in this order; each file is idempotent. New areas append their DDL file here.
WAREHOUSE_DDL_FILES: tuple[str, ...] = (
    "warehouse/schema_helpers.sql",
    "warehouse/schema.sql",
    "quality/schema.sql",
    "warehouse/run_tables.sql",
    "warehouse/audit.sql",
    "warehouse/suggestions.sql",
    "warehouse/buckets.sql",
    "warehouse/unsettled_run_tables.sql",
    "warehouse/incremental.sql",
    "review/schema.sql",
    "warehouse/active_rates.sql",
    "warehouse/deaths.sql",
    "warehouse/provinces.sql",
    "warehouse/province_reasons.sql",
    "web/indexes.sql",
    "warehouse/views.sql",
)


def ensure_warehouse_schema(conn: psycopg.Connection[tuple[Any, ...]] | None = None) -> None:
    """Create the warehouse schemas, tables, views and access roles if missing (idempotent, serialised)."""
    owns = conn is None
    connection = conn or connect(WAREHOUSE_CONN_ID)
    try:
        with connection.transaction():
            lock_transaction(connection, SCHEMA_LOCK)
            for ddl_file in WAREHOUSE_DDL_FILES:
                connection.execute(read_sql(ddl_file).encode())
            with connection.cursor() as cursor:
                cursor.executemany(read_sql("warehouse/upsert_province.sql"), [asdict(row) for row in province_rows()])
            ensure_roles(connection, [sector.sector for sector in load_sectors()])
    finally:
        if owns:
            connection.close()
