"""Mirror the population register into ``reference.persons``, incrementally by updated_at."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.reference.snapshot import MIRROR_NAME, write_snapshot
from popsync.settings import REGISTER_CONN_ID, WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MirrorResult:
    rows_copied: int
    full_load: bool
    high_watermark: datetime | None
    row_count: int


def _copy_persons(
    register: psycopg.Connection[tuple[Any, ...]],
    warehouse: psycopg.Connection[tuple[Any, ...]],
    target: str,
    since: datetime | None,
) -> int:
    """Stream register rows changed since ``since`` (all when None) into ``target`` with binary COPY."""
    select = read_sql("register/extract_persons.sql")
    with register.cursor() as src, warehouse.cursor() as dst:
        with (
            src.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)", {"since": since}) as out,
            dst.copy(f"COPY {target} FROM STDIN (FORMAT binary)") as into,
        ):
            for chunk in out:
                into.write(chunk)
        return max(dst.rowcount, 0)


def _register_rows(register: psycopg.Connection[tuple[Any, ...]]) -> int:
    row = register.execute(read_sql("register/count_persons.sql")).fetchone()
    return 0 if row is None else int(row[0])


def _mirror_summary(warehouse: psycopg.Connection[tuple[Any, ...]]) -> tuple[int, datetime | None]:
    """The mirror's row count and newest ``updated_at`` (None when empty)."""
    row = warehouse.execute(read_sql("reference/mirror_summary.sql")).fetchone()
    assert row is not None  # an aggregate always answers one row
    return int(row[0]), row[1]


def sync_reference(*, full_reload: bool = False) -> MirrorResult:
    """Copy register rows changed since the last high watermark (everything on the first run).

    After a delta the mirror's row count must equal the register's; when it does not
    (persons deleted, or the register was rebuilt) the mirror is reloaded in full. The
    warehouse schema must exist (``popsync.pipeline.warehouse.ensure_warehouse_schema``).
    """
    with connect(WAREHOUSE_CONN_ID) as warehouse, connect(REGISTER_CONN_ID) as register:
        register.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        state = warehouse.execute(read_sql("reference/sync_state.sql"), {"mirror": MIRROR_NAME}).fetchone()
        register_rows = _register_rows(register)
        full_load = full_reload or state is None
        copied = 0
        if state is not None and not full_load:
            warehouse.execute(read_sql("reference/persons_changes.sql"))
            copied = _copy_persons(register, warehouse, "persons_changes", state[0])
            warehouse.execute(read_sql("reference/merge_persons.sql"))
            if _mirror_summary(warehouse)[0] != register_rows:
                _log.warning("register mirror diverged from the register: reloading it in full")
                full_load = True
        if full_load:
            warehouse.execute(read_sql("reference/truncate_persons.sql"))
            copied = _copy_persons(register, warehouse, "reference.persons", None)
        row_count, high = _mirror_summary(warehouse)
        if high is not None:
            warehouse.execute(
                read_sql("reference/record_sync_state.sql"),
                {"mirror": MIRROR_NAME, "high_watermark": high, "row_count": row_count},
            )
        warehouse.commit()
        if full_load:
            warehouse.execute(read_sql("reference/analyze_persons.sql"))
            warehouse.commit()
    _log.info("register mirror: %d rows copied (%s), %d in total", copied, "full" if full_load else "delta", row_count)
    write_snapshot()
    return MirrorResult(copied, full_load, high, row_count)
