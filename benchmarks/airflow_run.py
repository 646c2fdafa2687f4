"""Time one sector DAG run through Airflow on the benchmark's data.

    POPSYNC_HOME=.popsync/bench POPSYNC_EMBEDDED_PORT=55440 POPSYNC_API_PORT=28440 \\
        .venv/bin/python benchmarks/airflow_run.py [--in-process] [--rows-per-bucket N]

By default the run goes through the real services (API server, scheduler with its
LocalExecutor, DAG processor, triggerer), as ``popsync run`` does: ``sync_reference`` first,
then ``sync_health_insurance``. ``--in-process`` uses ``dag.test()`` instead (no executor,
no task processes).

The REST calls log in as ``POPSYNC_API_USER`` / ``POPSYNC_API_PASSWORD`` when they are set (an API
server that requires a login); unset, the local single-user mode's all-admins token is used.

Prints the sector DAG run's wall time, each task's duration and its wait between being
queued and starting (from Airflow's metadata), the time outside the tasks (the wall time less
the time when at least one task ran: scheduling, queueing), and the start-up a task process
pays: the duration of the tasks that do almost no work (quality gate, metrics) and a
fresh-process probe (Airflow import, DAG file parse).
Every task instance (each mapped bucket of ``reconcile`` as ``cards.reconcile[n]``) is listed
with the host it ran on, its process's peak resident memory (VmHWM, the task's XCom
``peak_memory_mb``) and, for the plan and each bucket, its timed steps (from the task's result).
DuckDB's spill is sampled every half second: the bytes in the sessions' spill folders under the
work directory (``duckdb-*/spill``), at their peak over the run, with the tasks running then.
``--rows-per-bucket`` sets ``POPSYNC_ROWS_PER_BUCKET`` for the services
this run starts (0 = one bucket); services already running keep their own setting.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SECTOR = "health_insurance"
SECTOR_DAG = f"sync_{SECTOR}"
LIGHT_TASKS = ("quality_gate", "publish_metrics")
"""Tasks whose own work is a few hundredths of a second: their duration is task start-up."""
STARTUP_PROBE = (
    "import time; t=time.perf_counter(); import airflow.sdk; a=time.perf_counter(); "
    "import runpy; runpy.run_path('dags/sector_sync.py'); d=time.perf_counter(); "
    "print(a - t, d - a)"
)


def _logical_date() -> datetime:
    """Now, the run's logical date. Refuses (exit 2) a home whose sector has published a later
    logical date: Airflow's scheduler runs no DAG run dated in the future, and a run of an earlier
    date finds newer results published and rolls its publish back (no swap, no lifecycle), which a
    timed run must not skip unnoticed."""
    import psycopg

    from popsync.db.connections import connect
    from popsync.db.sql_files import read_sql

    now = datetime.now(UTC).replace(microsecond=0)
    try:
        with connect("popsync_warehouse") as conn:
            row = conn.execute(read_sql("benchmark/latest_published_date.sql"), {"sector": SECTOR}).fetchone()
    except psycopg.errors.UndefinedTable:  # a warehouse that never published
        return now
    latest = None if row is None else row[0]
    if latest is not None and latest >= now:
        print(
            f"{SECTOR} has published results of {latest:%Y-%m-%d %H:%M} UTC, later than now: this run's publish "
            "would roll back behind them, and Airflow runs no DAG run dated in the future. Use a home "
            "without such results (e.g. a new one for bucket_benchmark.sh).",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return now


def _run(in_process: bool, logical_date: datetime) -> tuple[str, bool]:
    """Run the sector DAG; return its run id and whether it succeeded."""
    from popsync.settings import get_settings

    if in_process:
        from popsync.local.dag_runner import run_dag

        result = run_dag(SECTOR_DAG, logical_date)
        return result.run_id, result.succeeded
    from popsync.local.main_job import run_through_scheduler

    job = run_through_scheduler(get_settings(), [SECTOR_DAG], logical_date, out=sys.stderr)
    progress = job.runs[SECTOR_DAG]
    return progress.run_id, progress.succeeded


@dataclass(frozen=True)
class TaskFigures:
    state: str
    duration: float
    queued_to_start: float | None
    hostname: str | None = None
    peak_memory_mb: float | None = None
    steps: dict[str, float] | None = None
    """The task's timed steps (plan, reconcile buckets), seconds each."""
    started: str | None = None
    ended: str | None = None


class SpillSampler:
    """DuckDB's spill: the bytes in each session's spill folder (``<work>/duckdb-*/spill``),
    sampled every ``interval`` seconds; per session its peak and when it was seen spilling."""

    def __init__(self, work_dir: Path, interval: float = 0.5) -> None:
        self.work_dir = work_dir
        self.interval = interval
        self.peak_total_bytes = 0
        self.sessions: dict[str, SpillSession] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="spill-sampler", daemon=True)

    def __enter__(self) -> "SpillSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        total = 0
        now = datetime.now(UTC)
        for spill in self.work_dir.glob("duckdb-*/spill"):
            size = _folder_bytes(spill)
            if not size:
                continue
            total += size
            seen = self.sessions.get(spill.parent.name)
            self.sessions[spill.parent.name] = (
                SpillSession(size, now, now)
                if seen is None
                else SpillSession(max(seen.peak_bytes, size), seen.first, now)
            )
        self.peak_total_bytes = max(self.peak_total_bytes, total)

    def report(self, tasks: dict[str, "TaskFigures"]) -> dict[str, Any]:
        """Peaks, and each spilling session with the sector DAG's tasks running while it spilled."""

        def running(session: SpillSession) -> list[str]:
            return sorted(
                task
                for task, figures in tasks.items()
                if figures.started is not None
                and figures.ended is not None
                and datetime.fromisoformat(figures.started) <= session.last
                and datetime.fromisoformat(figures.ended) >= session.first
            )

        return {
            "spill_sample_seconds": self.interval,
            "spill_peak_total_mb": round(self.peak_total_bytes / 2**20, 1),
            "spill_sessions": [
                {
                    "peak_mb": round(session.peak_bytes / 2**20, 1),
                    "first_seen": session.first.isoformat(),
                    "last_seen": session.last.isoformat(),
                    "sector_tasks_running": running(session),
                }
                for session in sorted(self.sessions.values(), key=lambda s: s.first)
            ],
        }


@dataclass(frozen=True)
class SpillSession:
    peak_bytes: int
    first: datetime
    last: datetime


def _folder_bytes(folder: Path) -> int:
    """Bytes of the files in a folder (a file removed while counting counts nothing)."""
    total = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        try:
            total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total


def _steps(task_id: str, value: Any) -> dict[str, float] | None:
    """The timed steps in a task's result: the plan's (every bucket entry carries it) or a bucket's."""
    if value is None:
        return None
    value = json.loads(value) if isinstance(value, str | bytes) else value
    stage = task_id.rsplit(".", 1)[-1]
    timings: list[list[Any]] | None = None
    if stage == "plan" and isinstance(value, list) and value:
        timings = ((value[0].get("state") or {}).get("plan") or {}).get("timings")
    elif stage == "reconcile" and isinstance(value, dict):
        timings = (value.get("result") or {}).get("timings")
    if timings is None:
        return None
    steps: dict[str, float] = {}
    for name, seconds in timings:
        steps[str(name)] = steps.get(str(name), 0.0) + float(seconds)
    return steps


def _task_figures(run_id: str) -> dict[str, Any]:
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from popsync.airflow.sector_dag import PEAK_MEMORY_XCOM

    with create_session() as session:
        dag_run = session.scalars(select(DagRun).where(DagRun.dag_id == SECTOR_DAG, DagRun.run_id == run_id)).one()
        tasks = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == SECTOR_DAG, TaskInstance.run_id == run_id)
        ).all()
        if dag_run.start_date is None or dag_run.end_date is None:
            raise RuntimeError(f"{SECTOR_DAG} {run_id} has not finished")
        wall = (dag_run.end_date - dag_run.start_date).total_seconds()
        peaks = {
            (xcom.task_id, xcom.map_index): xcom.value
            for xcom in session.scalars(
                select(XComModel).where(
                    XComModel.dag_id == SECTOR_DAG, XComModel.run_id == run_id, XComModel.key == PEAK_MEMORY_XCOM
                )
            ).all()
        }
        results = {
            (xcom.task_id, xcom.map_index): xcom.value
            for xcom in session.scalars(
                select(XComModel).where(
                    XComModel.dag_id == SECTOR_DAG, XComModel.run_id == run_id, XComModel.key == "return_value"
                )
            ).all()
        }
        per_task = {
            (ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"): TaskFigures(
                str(ti.state),
                float(ti.duration or 0.0),
                (ti.start_date - ti.queued_dttm).total_seconds() if ti.queued_dttm and ti.start_date else None,
                ti.hostname,
                _peak(peaks.get((ti.task_id, ti.map_index))),
                _steps(ti.task_id, results.get((ti.task_id, ti.map_index))),
                ti.start_date.isoformat() if ti.start_date else None,
                ti.end_date.isoformat() if ti.end_date else None,
            )
            for ti in tasks
        }
    ran = {task: figures for task, figures in per_task.items() if figures.state == "success"}
    light = [figures.duration for task, figures in ran.items() if task.rsplit(".", 1)[-1] in LIGHT_TASKS]
    queued = [figures.queued_to_start for figures in ran.values() if figures.queued_to_start is not None]
    task_sum = sum(figures.duration for figures in per_task.values())
    busy = _busy_seconds(per_task.values())
    known_peaks = [figures.peak_memory_mb for figures in ran.values() if figures.peak_memory_mb is not None]
    return {
        "dag_run_wall_seconds": wall,
        "buckets": sum(1 for task in per_task if task.split("[")[0].endswith(".reconcile")),
        "max_task_peak_memory_mb": max(known_peaks) if known_peaks else None,
        "tasks": per_task,
        "tasks_run": len(ran),
        "sum_task_seconds": task_sum,
        "busy_seconds": busy,
        "outside_tasks_seconds": wall - busy,
        "light_task_median_seconds": statistics.median(light) if light else None,
        "queued_to_start_median_seconds": statistics.median(queued) if queued else None,
    }


def _busy_seconds(tasks: Iterable[TaskFigures]) -> float:
    """Seconds during which at least one task ran (the union of their intervals): mapped buckets
    run side by side, so the sum of the durations can exceed the DAG run's wall time."""
    intervals = sorted(
        (datetime.fromisoformat(task.started), datetime.fromisoformat(task.ended))
        for task in tasks
        if task.started is not None and task.ended is not None
    )
    busy = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in intervals:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            busy += (current[1] - current[0]).total_seconds()
        current = (start, end)
    if current is not None:
        busy += (current[1] - current[0]).total_seconds()
    return busy


def _peak(value: Any) -> float | None:
    """The XCom's value (stored as JSON text or already decoded)."""
    if value is None:
        return None
    return float(json.loads(value) if isinstance(value, str | bytes) else value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in-process", action="store_true", help="dag.test() instead of the scheduler")
    parser.add_argument("--rows-per-bucket", type=int, help="POPSYNC_ROWS_PER_BUCKET for this run (0 = one bucket)")
    args = parser.parse_args()
    if args.rows_per_bucket is not None:
        os.environ["POPSYNC_ROWS_PER_BUCKET"] = str(args.rows_per_bucket)

    from popsync.local.airflow_env import apply_airflow_environment
    from popsync.local.bootstrap import bootstrap
    from popsync.settings import PROJECT_DIR, get_settings

    settings = get_settings()
    apply_airflow_environment(settings)
    bootstrap(settings)
    logical_date = _logical_date()
    started = time.perf_counter()
    with SpillSampler(settings.work_dir) as spill:
        run_id, succeeded = _run(args.in_process, logical_date)
    job_wall = time.perf_counter() - started
    figures = _task_figures(run_id)
    probes = []
    for _ in range(3):
        probe = subprocess.run(
            [sys.executable, "-c", STARTUP_PROBE], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
        )
        probes.append([float(x) for x in probe.stdout.split()])
    report = {
        "dag_id": SECTOR_DAG,
        "rows_per_bucket": os.environ.get("POPSYNC_ROWS_PER_BUCKET"),
        "mode": "dag.test (in process)" if args.in_process else "scheduler + LocalExecutor",
        "succeeded": succeeded,
        "logical_date": logical_date.isoformat(),
        "job_wall_seconds": job_wall,
        **figures,
        "tasks": {task: asdict(task_figures) for task, task_figures in figures["tasks"].items()},
        **spill.report(figures["tasks"]),
        "fresh_process_airflow_import_seconds": statistics.median(p[0] for p in probes),
        "fresh_process_dag_parse_seconds": statistics.median(p[1] for p in probes),
    }
    print(json.dumps(report, indent=2))
    return 0 if succeeded else 1


if __name__ == "__main__":
    sys.exit(main())
