"""The schema check on a current warehouse locks no table exclusively, so it cannot deadlock
with the readers of a view over such a table.

It once did: every bucket task checks the schema, and ``ALTER TABLE ... ADD COLUMN IF NOT EXISTS``
locked ``sync.published_runs`` exclusively even though the column existed; the check then waited
to replace ``staging.unsettled_run_tables`` while another bucket's janitor, holding that view,
waited for ``sync.published_runs`` (deadlock, the bucket retried after its retry delay). Any
reader that holds a view the check replaces and then reads a table the check altered closes
the same cycle; the second test builds one deterministically. Real PostgreSQL, three connections.
"""

import threading
import time

import psycopg
import pytest

from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.settings import get_settings

pytestmark = pytest.mark.integration

EXCLUSIVE_ON_TABLES = """
SELECT locked.relation::regclass::text
FROM pg_catalog.pg_locks AS locked
JOIN pg_catalog.pg_class AS relation ON relation.oid = locked.relation
WHERE locked.pid = pg_backend_pid() AND locked.mode = 'AccessExclusiveLock' AND relation.relkind IN ('r', 'p')
ORDER BY 1
"""


def _url() -> str:
    return get_settings().database_url_for("popsync_warehouse")


def test_a_schema_check_on_a_current_warehouse_locks_no_table_exclusively(server_url: str) -> None:
    ensure_warehouse_schema()  # the warehouse is current
    with psycopg.connect(_url()) as conn:
        conn.execute("SELECT 1")  # an open transaction keeps the check's locks to inspect them
        ensure_warehouse_schema(conn)
        locked = [row[0] for row in conn.execute(EXCLUSIVE_ON_TABLES).fetchall()]
        conn.rollback()
    assert locked == []


def test_a_schema_check_waiting_for_a_view_lets_its_reader_finish(server_url: str) -> None:
    ensure_warehouse_schema()
    with (
        psycopg.connect(_url()) as reader,
        psycopg.connect(_url()) as checker,
        psycopg.connect(_url(), autocommit=True) as watcher,
    ):
        # a dashboard's transaction: a view the check replaces first, then sync.published_runs
        reader.execute("SELECT count(*) FROM sync.latest_sync_rate").fetchone()
        failures: list[BaseException] = []

        def check() -> None:
            try:
                ensure_warehouse_schema(checker)
            except BaseException as exc:  # reported by the test's thread
                failures.append(exc)

        thread = threading.Thread(target=check)
        thread.start()
        checker_pid = checker.info.backend_pid
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until the check waits for the reader's locks
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_catalog.pg_locks WHERE pid = %s AND NOT granted", [checker_pid]
            ).fetchone()
            if waiting and waiting[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the schema check never waited for the reader")
        reader.execute("SET LOCAL lock_timeout = '5s'")
        # the table the check used to lock exclusively before waiting (a deadlock then)
        reader.execute("SELECT count(*) FROM sync.published_runs").fetchone()
        reader.commit()
        thread.join(timeout=60)
        assert not thread.is_alive()
        assert failures == []
