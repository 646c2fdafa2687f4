"""Warehouse connections of the web app: a small pool, one transaction per request, run
under the user's sector role (``popsync.db.access.scoped``): PostgreSQL enforces what a user sees."""

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from popsync.db.access import scoped as scope_transaction
from popsync.db.connections import postgres_url
from popsync.db.sql_files import read_sql
from popsync.settings import WAREHOUSE_CONN_ID

Connection = psycopg.Connection[tuple[Any, ...]]


class WarehousePool:
    """Up to ``size`` idle connections kept for reuse; a broken one is discarded."""

    def __init__(self, url: str | None = None, size: int = 8) -> None:
        self._url = url
        self._idle: queue.LifoQueue[Connection] = queue.LifoQueue(maxsize=size)
        self._optional: dict[str, bool] = {}
        self._lock = threading.Lock()

    def _take(self) -> Connection:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                url = self._url or postgres_url(WAREHOUSE_CONN_ID)
                return psycopg.connect(url, application_name="popsync-web")
            if not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                return conn
            conn.close()

    def _give(self, conn: Connection) -> None:
        if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.close()
            return
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()

    @contextmanager
    def transaction(self, sector: str | None, *, scoped: bool = True) -> Iterator[Connection]:
        """A transaction under ``sector``'s role (the auditor role when None); ``scoped=False`` keeps the
        connection's own role (the app's writes to the audit trail, the register mirror's values)."""
        conn = self._take()
        try:
            with conn.transaction():
                if scoped:
                    scope_transaction(conn, sector)
                yield conn
        except BaseException:
            conn.close()
            raise
        finally:
            self._give(conn)

    def has_relation(self, name: str) -> bool:
        """Whether an optional relation exists (cached once it does)."""
        with self._lock:
            if self._optional.get(name):
                return True
        with self.transaction(None, scoped=False) as conn:
            row = conn.execute(read_sql("db/relation_exists.sql"), {"name": name}).fetchone()
        present = bool(row and row[0])
        with self._lock:
            self._optional[name] = present
        return present

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
