"""DuckDB sessions for the set-based stages, with bounded memory."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
from duckdb.func import FunctionNullHandling
from duckdb.sqltypes import VARCHAR

from popsync.db.sql_files import read_sql
from popsync.domain.legacy_encodings import repair_mojibake
from popsync.domain.name_repairs import repair_candidates, repair_name
from popsync.domain.provinces import PROVINCE_CODES
from popsync.settings import (
    DUCKDB_MB_PER_THREAD,
    MIN_DUCKDB_MB,
    OFFLINE_DUCKDB_MB,
    OUTSIDE_DUCKDB_MB,
    duckdb_memory_limit,
    duckdb_threads,
    get_settings,
    task_memory_mb,
)

SCRATCH_PREFIX = "duckdb-"
"""Scratch folders of DuckDB sessions in the work folder (the janitor removes stale ones)."""


def _resident_mb() -> float:
    """This process's resident memory now, in MB (10^6 bytes); 0 where /proc is missing."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 1_000_000


def memory_limit_mb(budget_mb: int, resident_mb: float) -> int:
    """DuckDB's share of a task's memory budget: what the process does not hold yet, less what it
    will hold beside DuckDB at its peak (``OUTSIDE_DUCKDB_MB``); never below ``MIN_DUCKDB_MB``."""
    return max(MIN_DUCKDB_MB, int(budget_mb - resident_mb - OUTSIDE_DUCKDB_MB))


_outside_tasks = False
"""Set by :func:`run_outside_tasks`: every session of this process takes the offline limit."""


def run_outside_tasks() -> None:
    """This process runs tasks itself, one after the other (``popsync run --in-process``): no
    task budget applies, and its memory grows from task to task, so its sessions take the
    limit of work outside tasks (``OFFLINE_DUCKDB_MB``) unless it is set explicitly."""
    global _outside_tasks
    _outside_tasks = True


_baselines: dict[int, float] = {}
"""Per process id: what the process held when it opened its first DuckDB session."""


def _baseline_mb() -> float:
    """What this process held before its first DuckDB session (the interpreter, the task runner,
    preloaded libraries). Later sessions of the same process (the buckets of a run in one
    process) take the same share: their predecessors' memory was DuckDB's and is released when
    the session closes, and what was not released shows in the process's peak, where it belongs.
    Keyed by process id, so a forked task process measures its own."""
    return _baselines.setdefault(os.getpid(), _resident_mb())


def _memory_limit(task: bool) -> tuple[str, int | None]:
    """The explicit ``POPSYNC_DUCKDB_MEMORY_LIMIT``, or the task budget's share left for DuckDB
    (outside a task, for the generator and the evaluation: ``OFFLINE_DUCKDB_MB``), with the share
    in MB when popsync computed it (None for an explicit setting).

    A task process starts with the interpreter, Airflow's task runner and whatever its parent
    preloaded (Great Expectations: about 150 MB) already resident, so the share is taken when the
    session opens, from what the process holds then.
    """
    explicit = duckdb_memory_limit()
    if explicit is not None:
        return explicit, None
    if not task or _outside_tasks:
        return f"{OFFLINE_DUCKDB_MB}MB", OFFLINE_DUCKDB_MB
    share = memory_limit_mb(task_memory_mb(), _baseline_mb())
    return f"{share}MB", share


def threads_for(limit_mb: int | None, configured: int) -> int:
    """DuckDB's threads for a session: the configured number (``POPSYNC_DUCKDB_THREADS``), but no
    more than the limit gives ``DUCKDB_MB_PER_THREAD`` each (an explicit limit keeps the setting)."""
    if limit_mb is None:
        return configured
    return max(1, min(configured, limit_mb // DUCKDB_MB_PER_THREAD))


def sql_string(value: object) -> str:
    """A single-quoted SQL string literal (for file paths in DuckDB COPY and read_parquet)."""
    return "'" + str(value).replace("'", "''") + "'"


def store_arrow(
    duck: duckdb.DuckDBPyConnection,
    table: str,
    data: pa.RecordBatchReader | pa.Table,
    *,
    columns: str = "*",
) -> None:
    """Create the session table ``table`` from Arrow data, read once as it comes.

    ``table`` and ``columns`` are the caller's own SQL (never configuration or data).
    """
    source = f"{table}__arrow"
    duck.register(source, data)
    try:
        duck.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {columns} FROM {source}")
    finally:
        duck.unregister(source)


@contextmanager
def configured_threads(duck: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the statements inside with the configured DuckDB threads (``POPSYNC_DUCKDB_THREADS``),
    whatever the session's share gives (:func:`threads_for`), then restore the session's.

    For a statement that streams its input out and holds little per thread: the plan's partitioned
    ``COPY`` of the records into bucket files, where a second thread cost no memory error at a
    task's share and took a third to two fifths off the write (``pipeline/plan.py``: ``write_records``).
    """
    row = duck.execute("SELECT current_setting('threads')").fetchone()
    session_threads = int(row[0]) if row else 1
    duck.execute(f"SET threads = {duckdb_threads()}")
    try:
        yield
    finally:
        duck.execute(f"SET threads = {session_threads}")


def _repair(text: str | None) -> str | None:
    return None if text is None else repair_mojibake(text)


def _repair_name(text: str | None) -> str | None:
    return None if text is None else repair_name(text)


def _name_repairs(text: str | None) -> list[str]:
    return [] if text is None else repair_candidates(text)


def _register_name_functions(con: duckdb.DuckDBPyConnection) -> None:
    """The Python name repairs the macros call (popsync.domain.name_repairs).

    Row-at-a-time functions: they see only the few names that may be misencoded, and Arrow
    functions would build their results with ``pa.array``, which makes pyarrow import pandas
    (about 1 s in every worker process).
    """
    for name, function, returns in (
        ("repair_mojibake", _repair, VARCHAR),
        ("repair_name", _repair_name, VARCHAR),
        ("name_repairs", _name_repairs, duckdb.list_type(VARCHAR)),
    ):
        con.create_function(
            name, function, [VARCHAR], returns, null_handling=FunctionNullHandling.SPECIAL, side_effects=False
        )


@contextmanager
def duckdb_session(*, task: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB database that spills to a scratch folder above its memory limit.

    ``task``: the session runs in a pipeline task, whose memory budget sets the limit.
    """
    work_dir = get_settings().work_dir
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix=SCRATCH_PREFIX) as scratch:
        con = duckdb.connect(":memory:")
        try:
            limit, limit_mb = _memory_limit(task)
            con.execute(f"SET memory_limit = {sql_string(limit)}")
            con.execute(f"SET threads = {threads_for(limit_mb, duckdb_threads())}")
            con.execute(f"SET temp_directory = {sql_string(Path(scratch) / 'spill')}")
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET enable_progress_bar = false")
            _register_name_functions(con)
            con.execute(read_sql("duckdb/macros.sql"))
            con.execute("CREATE TABLE province_codes (code VARCHAR PRIMARY KEY)")
            con.executemany("INSERT INTO province_codes VALUES (?)", [(code,) for code in PROVINCE_CODES])
            yield con
        finally:
            con.close()
