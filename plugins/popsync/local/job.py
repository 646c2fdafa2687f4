"""The main job through the scheduler: trigger DAG runs over the REST API and follow them.

``sync_reference`` runs first; the sector DAGs then run in parallel. Runs the job triggers
carry its owner (host, process id) in their conf and a ``popsync_job__`` run id, so that the
next job can tell its own abandoned runs (their job was killed) and fail them.
"""

import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from popsync.local.api_client import ACTIVE_RUN_STATES, FINISHED_TASK_STATES, AirflowApi, DagRunInfo

RUN_PREFIX = "popsync_job__"
OWNER_KEY = "popsync_job"
_FINISHED_RUN_STATES = frozenset({"success", "failed"})


@dataclass(frozen=True)
class JobOwner:
    host: str
    pid: int

    @classmethod
    def current(cls) -> "JobOwner":
        return cls(socket.gethostname(), os.getpid())

    def conf(self) -> dict[str, Any]:
        return {OWNER_KEY: {"host": self.host, "pid": self.pid}}

    @classmethod
    def of(cls, run: DagRunInfo) -> "JobOwner | None":
        owner = run.conf.get(OWNER_KEY)
        if not isinstance(owner, dict) or "pid" not in owner:
            return None
        return cls(str(owner.get("host", "")), int(owner["pid"]))

    def is_alive(self) -> bool | None:
        """Whether the job process still runs; None when it ran on another host (unknown)."""
        if self.host != socket.gethostname():
            return None
        if self.pid == os.getpid():
            return True
        try:
            cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"popsync" in cmdline


@dataclass(frozen=True)
class RunProgress:
    dag_id: str
    run_id: str
    state: str
    done: int
    total: int
    running: int
    retried: int
    failed_tasks: tuple[str, ...]
    seconds: float

    @property
    def finished(self) -> bool:
        return self.state in _FINISHED_RUN_STATES

    @property
    def succeeded(self) -> bool:
        return self.state == "success"

    def line(self) -> str:
        retried = f", {self.retried} retried" if self.retried else ""
        running = f", {self.running} running" if self.running else ""
        return (
            f"  {self.dag_id:<28} {self.state:<8} {self.done:>3}/{self.total:<3} tasks{running}{retried}"
            f"  {self.seconds:6.1f} s"
        )


@dataclass(frozen=True)
class AbandonedRun:
    dag_id: str
    run_id: str
    state: str
    reason: str


def fail_abandoned_runs(api: AirflowApi, *, scheduler_alive: bool) -> list[AbandonedRun]:
    """Fail queued/running runs nobody will finish: those of a dead job, or any when no scheduler lives."""
    abandoned: list[AbandonedRun] = []
    for run in api.active_runs():
        owner = JobOwner.of(run)
        if owner is not None and owner.is_alive() is False:
            reason = f"its popsync job (pid {owner.pid}) is gone"
        elif not scheduler_alive and (owner is None or owner.is_alive() is not True):
            reason = "no live scheduler"
        else:
            continue
        api.fail_run(run.dag_id, run.run_id, note=f"Failed by popsync run: abandoned, {reason}.")
        abandoned.append(AbandonedRun(run.dag_id, run.run_id, run.state, reason))
    return abandoned


def run_id_for(logical_date: datetime, owner: JobOwner) -> str:
    return f"{RUN_PREFIX}{logical_date:%Y%m%dT%H%M%S}__{owner.pid}"


def wait_for_dags(api: AirflowApi, dag_ids: Sequence[str], timeout: float = 300.0) -> None:
    """Wait until the DAG processor has parsed every DAG."""
    deadline = time.monotonic() + timeout
    missing = list(dag_ids)
    while missing:
        missing = [dag_id for dag_id in missing if not api.dag_exists(dag_id)]
        if not missing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"DAGs not parsed after {timeout:.0f} s: {', '.join(missing)}")
        time.sleep(2.0)


def progress(api: AirflowApi, dag_id: str, run_id: str, started: float) -> RunProgress:
    run = api.dag_run(dag_id, run_id)
    tasks = api.task_instances(dag_id, run_id)
    return RunProgress(
        dag_id=dag_id,
        run_id=run_id,
        state=run.state,
        done=sum(1 for t in tasks if t.state in FINISHED_TASK_STATES),
        total=len(tasks),
        running=sum(1 for t in tasks if t.state == "running"),
        retried=sum(1 for t in tasks if t.try_number > 1),
        failed_tasks=tuple(sorted(t.task_id for t in tasks if t.state in ("failed", "upstream_failed"))),
        seconds=time.monotonic() - started,
    )


def follow(
    api: AirflowApi,
    runs: Sequence[tuple[str, str]],
    report: Callable[[RunProgress], None],
    poll: float = 2.0,
    timeout: float | None = None,
) -> dict[str, RunProgress]:
    """Poll the runs until all have finished; report each one whenever its progress changes."""
    started = time.monotonic()
    last: dict[str, RunProgress] = {}
    shown: dict[str, tuple[str, int, int, int]] = {}
    while True:
        for dag_id, run_id in runs:
            if dag_id in last and last[dag_id].finished:
                continue
            current = progress(api, dag_id, run_id, started)
            last[dag_id] = current
            key = (current.state, current.done, current.running, current.retried)
            if shown.get(dag_id) != key:
                shown[dag_id] = key
                report(current)
        if all(p.finished for p in last.values()) and len(last) == len(runs):
            return last
        if timeout is not None and time.monotonic() - started > timeout:
            raise TimeoutError(f"runs not finished after {timeout:.0f} s")
        time.sleep(poll)


def trigger_runs(
    api: AirflowApi, dag_ids: Sequence[str], logical_date: datetime, owner: JobOwner
) -> list[tuple[str, str]]:
    """Unpause and trigger one run of each DAG; returns (dag_id, run_id) pairs."""
    run_id = run_id_for(logical_date, owner)
    triggered = []
    for dag_id in dag_ids:
        if api.is_paused(dag_id):
            api.set_paused(dag_id, False)
        api.trigger(dag_id, run_id, logical_date, owner.conf())
        triggered.append((dag_id, run_id))
    return triggered


def fail_own_active_runs(api: AirflowApi, runs: Sequence[tuple[str, str]], note: str) -> int:
    """On interruption: fail the job's runs that are still queued or running."""
    failed = 0
    for dag_id, run_id in runs:
        try:
            if api.dag_run(dag_id, run_id).state in ACTIVE_RUN_STATES:
                api.fail_run(dag_id, run_id, note=note)
                failed += 1
        except Exception:  # the API server may already be gone; the next job fails them then
            continue
    return failed
