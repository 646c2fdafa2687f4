"""A Parquet snapshot of the register mirror for the reconcile step.

The warehouse's ``reference.persons`` stays the system of record. ``sync_reference``
writes this snapshot after each refresh, with the mirror's high watermark and row count
beside it; reconcile uses it only while both still match ``reference.sync_state``, and
otherwise streams the mirror from PostgreSQL.
"""

import json
import logging
import os
from pathlib import Path
from typing import Any

from popsync.db.arrow_io import adbc_connection
from popsync.db.connections import connect
from popsync.db.duck import duckdb_session, sql_string
from popsync.db.sql_files import read_sql
from popsync.settings import WAREHOUSE_CONN_ID, get_settings

_log = logging.getLogger(__name__)

MIRROR_NAME = "population_register"
"""The register mirror's row in ``reference.sync_state``."""

SNAPSHOT_FORMAT = 6
"""Bumped whenever the snapshot's columns or order change, so older files count as stale."""

PINNED_FILE = "register.parquet"
"""The name of a run's pinned copy of the snapshot (:func:`pin_snapshot`)."""

PIN_TRIES = 3
"""Links :func:`pin_snapshot` makes before it gives up when a refresh replaced the file each time."""

SNAPSHOT_ROW_GROUP = 65_536
"""Rows per Parquet row group: a bucket's stretch of key slots skips the row groups outside it."""


def snapshot_path() -> Path:
    return get_settings().work_dir / "reference" / "persons.parquet"


def _state_path() -> Path:
    return snapshot_path().with_suffix(".json")


def _mirror_state() -> dict[str, Any] | None:
    with connect(WAREHOUSE_CONN_ID) as conn:
        row = conn.execute(read_sql("reference/sync_state.sql"), {"mirror": MIRROR_NAME}).fetchone()
    if row is None:
        return None
    import duckdb

    # the key slots are DuckDB's hash: a snapshot written by another DuckDB version is stale
    return {
        "high_watermark": row[0].isoformat(),
        "row_count": int(row[1]),
        "format": SNAPSHOT_FORMAT,
        "duckdb": duckdb.__version__,
    }


def write_snapshot() -> Path:
    """Export ``reference.persons`` to Parquet (streamed, bounded memory), then record its state."""
    target = snapshot_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".parquet.partial")
    state = _mirror_state()
    with duckdb_session() as duck, adbc_connection(WAREHOUSE_CONN_ID) as pg:
        duck.register("persons_reader", pg.read(read_sql("reference/persons.sql")))
        duck.execute(f"CREATE VIEW keyed_persons AS {read_sql('reference/snapshot_rows.sql')}")
        rows = read_sql("duckdb/person_hashes.sql").replace("persons_source", "keyed_persons")
        duck.execute(
            f"COPY ({rows} ORDER BY key_slot) TO {sql_string(partial)} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {SNAPSHOT_ROW_GROUP})"
        )
    _state_path().unlink(missing_ok=True)
    partial.replace(target)
    _state_path().write_text(json.dumps(state), encoding="utf-8")
    _log.info("register snapshot written to %s", target)
    return target


def register_version() -> str:
    """Which refresh of the register mirror is current (its high watermark and row count, the
    snapshot's format): two readers that saw the same version read the same register, from the
    snapshot or the mirror."""
    return json.dumps(_mirror_state(), sort_keys=True)


def pin_snapshot(folder: Path) -> tuple[Path, str] | None:
    """The current snapshot, hard-linked into ``folder`` (a run's private folder), and its
    :func:`register_version`; None when no snapshot is current or the link cannot be made.

    A refresh replaces the snapshot file (never rewrites it), so the link keeps the file the run
    started with for every later read, whatever refreshes meanwhile. The link is checked after it
    is made (same file at the snapshot's path, same state beside it, same mirror state): a refresh
    between the check and the link is caught, and the pin tried again.
    """
    pinned = folder / PINNED_FILE
    for _ in range(PIN_TRIES):
        state = _mirror_state()
        path = current_snapshot()
        if path is None or state is None:
            return None
        pinned.unlink(missing_ok=True)
        try:
            os.link(path, pinned)
            same_file = os.stat(path).st_ino == os.stat(pinned).st_ino
            recorded = json.loads(_state_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):  # replaced or removed meanwhile, or no hard links here
            same_file, recorded = False, None
        if same_file and recorded == state and _mirror_state() == state:
            return pinned, json.dumps(state, sort_keys=True)
    pinned.unlink(missing_ok=True)
    return None


def current_snapshot() -> Path | None:
    """The snapshot when it reflects the mirror as it is now, else None."""
    path, state_file = snapshot_path(), _state_path()
    if not path.exists() or not state_file.exists():
        return None
    recorded = json.loads(state_file.read_text(encoding="utf-8"))
    if recorded is None or recorded != _mirror_state():
        _log.info("register snapshot is stale; reading the mirror from PostgreSQL")
        return None
    return path
