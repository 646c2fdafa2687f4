"""The register a run reads, one version for the whole run.

A run reads the register several times (the persons its records link to, the incremental
closure, the suggestion search, the register it keeps in its state). A refresh of the mirror
may land in the middle: each read must still see the version the run started with, and a split
run's buckets must know which version they classified against (their shares of the state are
kept only when all read the same one).

- With a current snapshot, the run reads a hard link to it in the session's scratch folder
  (``reference.snapshot.pin_snapshot``): the refresh replaces the snapshot's file, the link keeps
  the one the run started with.
- Without one, the mirror is streamed into the session once, and its version is the one the
  mirror had before and after that read (a refresh in between makes the read start again).

A split run's plan pins the register in the run's folder instead (shared storage, like the
buckets' records), and every bucket reads that file (:func:`planned_register`): the plan's former
CMNDs and links and every bucket's classification come from one version, whatever refreshes
between the plan and the last bucket, or while a bucket is retried.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from popsync.db.arrow_io import adbc_connection
from popsync.db.duck import SCRATCH_PREFIX, sql_string
from popsync.db.sql_files import read_sql
from popsync.reference.snapshot import PINNED_FILE, SNAPSHOT_ROW_GROUP, pin_snapshot, register_version
from popsync.settings import WAREHOUSE_CONN_ID

MIRROR_READS = 3
"""Reads of the mirror before a run gives up when every one overlapped a refresh."""


class RegisterChangedError(RuntimeError):
    """The register mirror was refreshed during every read of it (the task's retry reads it again)."""


@dataclass(frozen=True)
class RegisterSource:
    """The register as a relation of the session, and which version of it that relation holds."""

    relation: str
    """The relation to read (``read_parquet(...)`` of the pinned snapshot, or a session table)."""
    version: str
    """``reference.snapshot.register_version`` of what ``relation`` holds."""
    snapshot: Path | None
    """The pinned snapshot file (a hard link private to the session); None when streamed."""


def _scratch_folder(duck: duckdb.DuckDBPyConnection) -> Path | None:
    """The session's private scratch folder (``duckdb_session``: its spill folder's parent); None
    for a session that has none."""
    rows = duck.execute("SELECT current_setting('temp_directory')").fetchall()  # fetched whole: the session is free
    folder = Path(str(rows[0][0])).parent if rows and rows[0][0] else None
    return folder if folder is not None and folder.name.startswith(SCRATCH_PREFIX) else None


def open_register(duck: duckdb.DuckDBPyConnection, folder: Path | None = None) -> RegisterSource:
    """The register for this run: the pinned snapshot, or the mirror streamed in and keyed as the
    snapshot's rows are (``reference/snapshot_rows.sql``).

    ``folder``: pin it there (a split run's folder, which every bucket reads) rather than in the
    session's scratch folder; the streamed mirror is then written there too, in key-slot order.
    """
    scratch = folder if folder is not None else _scratch_folder(duck)
    pinned = None if scratch is None else pin_snapshot(scratch)
    if pinned is not None:
        path, version = pinned
        return RegisterSource(f"read_parquet({sql_string(path)})", version, path)
    for _ in range(MIRROR_READS):
        before = register_version()
        with adbc_connection(WAREHOUSE_CONN_ID) as pg:
            duck.register("persons_reader", pg.read(read_sql("reference/persons.sql")))
            try:
                duck.execute(f"CREATE OR REPLACE TABLE mirrored_persons AS {read_sql('reference/snapshot_rows.sql')}")
            finally:
                duck.unregister("persons_reader")
            pg.commit()
        if register_version() == before:  # one statement read it: the version it saw is this one
            if folder is None:
                return RegisterSource("mirrored_persons", before, None)
            target = folder / PINNED_FILE
            duck.execute(
                f"COPY (SELECT * FROM mirrored_persons ORDER BY key_slot) TO {sql_string(target)} "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {SNAPSHOT_ROW_GROUP})"
            )
            duck.execute("DROP TABLE mirrored_persons")
            return RegisterSource(f"read_parquet({sql_string(target)})", before, target)
    raise RegisterChangedError(f"the register mirror was refreshed during each of {MIRROR_READS} reads of it")


def planned_register(folder: Path, version: str) -> RegisterSource:
    """The register a split run's plan pinned in the run's ``folder`` (:func:`open_register`)."""
    path = folder / PINNED_FILE
    return RegisterSource(f"read_parquet({sql_string(path)})", version, path)
