"""Janitor: remove what crashed or abandoned runs leave behind, never what is published.

Each reconcile attempt of a dataset run writes three result tables (unpublished partitions in
``sync_partitions``) and uses a DuckDB scratch folder (``<work_dir>/duckdb-*``). A
successful publish swaps the tables in; a run killed with SIGKILL, or stopped by the quality
gate, leaves them, and a killed DuckDB session leaves its folder. Every result table is
recorded in ``staging.run_tables`` (committed before the table is created), so the janitor
knows its run, attempt and age without parsing names.

What is removed:

- result tables of runs known to be dead, at once: the caller may hand the janitor a
  :data:`DeadRuns` function (the Airflow layer asks Airflow which of the runs that still
  own unpublished tables failed or finished); this module only asks the question and never
  imports Airflow;
- result tables of other runs of the dataset whose fate is unknown (still running, awaiting
  an operator's approval, or no one to ask), and scratch and work folders, that no run has
  touched for the grace period (``POPSYNC_JANITOR_GRACE_HOURS``, default 6): a run still
  going on is younger, so a concurrently running attempt keeps its tables;
- result tables of earlier reconcile attempts of the running run, at once (one run never
  reconciles twice at the same time, and only the latest attempt is handed to the gate);
- in the daily sweep, extract tables earlier versions staged in ``staging`` and per-run work
  folders (``<work_dir>/runs/``) they left;
- incremental state folders (``<work_dir>/state/<dataset>/<run>``) that no published run refers
  to, after the grace period: a run killed before it published leaves its state (a split run's
  buckets write it share by share); a run that published removed its baseline's;

never a table ``sync.published_runs`` points at, never a table attached as a partition.
It runs when a dataset run starts (the reconcile stage, after registering its own tables) and
daily over every dataset in the ``popsync_maintenance`` DAG. It holds the publish lock while
it decides and drops, so no publish interleaves.
"""

import logging
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from popsync.db.connections import connect
from popsync.db.duck import SCRATCH_PREFIX
from popsync.db.identifiers import quoted
from popsync.db.locks import PUBLISH_LOCK, lock_transaction
from popsync.db.sql_files import read_sql
from popsync.pipeline.fates import DeadRuns, RunRef
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.state_folders import state_folder, state_root
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.settings import JANITOR_GRACE_ENV, WAREHOUSE_CONN_ID, get_settings, janitor_grace_hours

_log = logging.getLogger(__name__)

GRACE_ENV = JANITOR_GRACE_ENV
DEFAULT_GRACE = timedelta(hours=6)
RESULT_KINDS = ("matches", "mismatches", "suggestion_candidates")


@dataclass(frozen=True)
class JanitorResult:
    """What one sweep removed (counts only: names of runs never reach the log)."""

    tables_dropped: int
    registry_rows_pruned: int
    work_dirs_removed: int

    def __add__(self, other: "JanitorResult") -> "JanitorResult":
        return JanitorResult(
            self.tables_dropped + other.tables_dropped,
            self.registry_rows_pruned + other.registry_rows_pruned,
            self.work_dirs_removed + other.work_dirs_removed,
        )


def grace_period() -> timedelta:
    """Age below which another run's work is left alone (``POPSYNC_JANITOR_GRACE_HOURS``)."""
    hours = janitor_grace_hours()
    return DEFAULT_GRACE if hours is None else timedelta(hours=hours)


def register_run_table(
    conn: psycopg.Connection[tuple[Any, ...]], run: DatasetRun, kind: str, table: tuple[str, str] | None = None
) -> None:
    """Record one of the run's result tables (a kind of :data:`RESULT_KINDS`) before it is created.

    ``table`` is a bucket's table of a split run; by default the dataset's run table.
    """
    schema, name = run.result_tables()[kind] if table is None else table
    conn.execute(
        read_sql("warehouse/register_run_table.sql"),
        {
            "schema_name": schema,
            "table_name": name,
            "sector": run.sector.sector,
            "dataset": run.dataset.name,
            "run_id": run.run_id,
            "attempt": run.attempt,
            "kind": kind,
        },
    )


@dataclass(frozen=True)
class _Scope:
    sector: str | None
    dataset: str | None
    run_id: str | None
    attempt: str
    older_than: datetime
    work_prefix: str
    keep_work_dir: Path | None
    state_prefix: str | None = None
    """The dataset whose state folders are swept (``DatasetRun.dataset_prefix``); None: every dataset."""
    keep_state: Path | None = None
    """The running attempt's own state folder."""

    def params(self) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "dataset": self.dataset,
            "older_than": self.older_than,
            "run_id": self.run_id,
            "attempt": self.attempt,
        }


@dataclass(frozen=True)
class _Dead:
    """Runs the orchestrator called dead, and when it was asked (the database's clock)."""

    runs: Sequence[RunRef]
    asked_at: datetime | None


def _dead_runs(scope: _Scope, dead_runs: DeadRuns | None) -> _Dead:
    """Ask ``dead_runs`` about the runs, within the grace period, that own unpublished tables.

    Only tables registered before the question count as the dead runs': a run an operator
    cleared since (running again, with new tables) keeps what it registers after it.
    """
    if dead_runs is None:
        return _Dead((), None)
    with connect(WAREHOUSE_CONN_ID) as conn:
        clock = conn.execute("SELECT clock_timestamp()").fetchone()
        rows = conn.execute(read_sql("warehouse/janitor_unsettled_runs.sql"), scope.params()).fetchall()
    unsettled = [RunRef(str(sector), str(dataset), str(run_id)) for sector, dataset, run_id in rows]
    if not unsettled or clock is None:
        return _Dead((), None)
    known = set(unsettled)
    return _Dead(sorted(ref for ref in dead_runs(unsettled) if ref in known), clock[0])


def _sweep_tables(scope: _Scope, dead: _Dead) -> tuple[int, int]:
    dropped = pruned = 0
    with connect(WAREHOUSE_CONN_ID) as conn:
        lock_transaction(conn, PUBLISH_LOCK)
        candidates = conn.execute(
            read_sql("warehouse/janitor_candidates.sql"),
            {
                **scope.params(),
                "dead_sectors": [ref.sector for ref in dead.runs],
                "dead_datasets": [ref.dataset for ref in dead.runs],
                "dead_run_ids": [ref.run_id for ref in dead.runs],
                "dead_asked_at": dead.asked_at,
            },
        ).fetchall()
        for schema, table, present in candidates:
            if present:
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(quoted(schema, table)))
                dropped += 1
            conn.execute(read_sql("warehouse/unregister_run_table.sql"), {"schema_name": schema, "table_name": table})
            pruned += 1
        conn.commit()
    return dropped, pruned


def _newest_mtime(folder: Path) -> float:
    newest = folder.stat().st_mtime
    for path in folder.rglob("*"):
        try:
            newest = max(newest, path.stat().st_mtime)
        except FileNotFoundError:  # removed while we looked
            continue
    return newest


def _stale_folders(scope: _Scope) -> Iterator[Path]:
    """Run folders of the scope, and DuckDB scratch folders (a killed session leaves its own)."""
    work_dir = get_settings().work_dir
    runs_dir = work_dir / "runs"
    if runs_dir.is_dir():
        for folder in runs_dir.iterdir():
            if folder.is_dir() and folder != scope.keep_work_dir and folder.name.startswith(scope.work_prefix):
                yield folder
    if work_dir.is_dir():
        yield from (folder for folder in work_dir.glob(f"{SCRATCH_PREFIX}*") if folder.is_dir())


def _state_folders(scope: _Scope) -> Iterator[Path]:
    """State folders of the scope's datasets that no published run refers to (not the running attempt's)."""
    root = state_root()
    if not root.is_dir():
        return
    datasets = [root / scope.state_prefix] if scope.state_prefix else list(root.iterdir())
    with connect(WAREHOUSE_CONN_ID) as conn:
        rows = conn.execute(read_sql("warehouse/janitor_published_states.sql")).fetchall()
    published = {Path(str(row[0])).resolve() for row in rows}
    for dataset in datasets:
        if not dataset.is_dir():
            continue
        for folder in dataset.iterdir():
            if folder.is_dir() and folder.resolve() not in published and folder != scope.keep_state:
                yield folder


def _sweep_work_dirs(scope: _Scope) -> int:
    cutoff = scope.older_than.timestamp()
    removed = 0
    for folder in [*_stale_folders(scope), *_state_folders(scope)]:
        try:
            if _newest_mtime(folder) >= cutoff:
                continue
        except FileNotFoundError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _sweep_legacy_staging() -> int:
    with connect(WAREHOUSE_CONN_ID) as conn:
        tables = conn.execute(read_sql("warehouse/janitor_legacy_staging.sql")).fetchall()
        for schema, table in tables:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(schema, table)))
        conn.commit()
    return len(tables)


def _sweep(scope: _Scope, dead_runs: DeadRuns | None) -> JanitorResult:
    dropped, pruned = _sweep_tables(scope, _dead_runs(scope, dead_runs))
    if scope.sector is None:
        dropped += _sweep_legacy_staging()
    return JanitorResult(dropped, pruned, _sweep_work_dirs(scope))


def sweep_dataset(
    run: DatasetRun,
    *,
    grace: timedelta | None = None,
    now: datetime | None = None,
    dead_runs: DeadRuns | None = None,
) -> JanitorResult:
    """Clean the dataset of ``run`` before (or while) ``run`` works; keep ``run``'s own tables.

    ``dead_runs`` (default: the one the orchestrator attached to ``run``) names the runs known
    to be dead: their tables go now; other runs' tables wait for the grace period.
    """
    moment = now or datetime.now(UTC)
    scope = _Scope(
        sector=run.sector.sector,
        dataset=run.dataset.name,
        run_id=run.run_id,
        attempt=run.attempt,
        older_than=moment - (grace_period() if grace is None else grace),
        work_prefix=f"{run.dataset_prefix}__"[:52],
        keep_work_dir=None,
        state_prefix=run.dataset_prefix,
        keep_state=state_folder(run),
    )
    result = _sweep(scope, run.dead_runs if dead_runs is None else dead_runs)
    if result != JanitorResult(0, 0, 0):
        _log.info(
            "%s: janitor removed %d tables, %d registry rows, %d work folders",
            run.label,
            result.tables_dropped,
            result.registry_rows_pruned,
            result.work_dirs_removed,
        )
    return result


def sweep_all(
    *, grace: timedelta | None = None, now: datetime | None = None, dead_runs: DeadRuns | None = None
) -> JanitorResult:
    """Clean every dataset: runs known to be dead, and whatever no run touched within the grace period."""
    ensure_warehouse_schema()  # the maintenance DAG may run before any sector run
    moment = now or datetime.now(UTC)
    scope = _Scope(
        sector=None,
        dataset=None,
        run_id=None,
        attempt="",
        older_than=moment - (grace_period() if grace is None else grace),
        work_prefix="",
        keep_work_dir=None,
    )
    result = _sweep(scope, dead_runs)
    _log.info(
        "janitor removed %d tables, %d registry rows, %d work folders",
        result.tables_dropped,
        result.registry_rows_pruned,
        result.work_dirs_removed,
    )
    return result
