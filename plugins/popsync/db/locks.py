"""The warehouse's advisory locks: what each one serialises, and how a transaction takes one."""

from typing import Any, Final

import psycopg

from popsync.db.sql_files import read_sql

SCHEMA_LOCK: Final = 727_001
"""Schema set-up (DDL files, province rows, roles): one session at a time."""
PUBLISH_LOCK: Final = 727_002
"""Publishing and the janitor's sweep of run tables: one at a time across datasets."""


def lock_transaction(conn: psycopg.Connection[Any], lock: int) -> None:
    """Wait for ``lock`` in the transaction of ``conn``; it is held until commit or rollback."""
    conn.execute(read_sql("db/advisory_xact_lock.sql"), {"lock": lock})
