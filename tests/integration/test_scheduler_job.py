"""``popsync run`` through the real scheduler (LocalExecutor), interrupted and resumed.

A first job is killed with SIGKILL while its ``sync_reference`` run is under way; the next job
must find and fail the abandoned run, run its DAGs (sectors in parallel) while one ``reconcile``
task processes is killed with SIGKILL (the scheduler retries it), and leave no run active.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import psycopg
import pytest

from popsync.generate.evaluate import evaluate_dataset
from popsync.local.api_client import AirflowApi
from popsync.sectors import load_sectors
from popsync.settings import AIRFLOW_DATABASE, Settings
from tests.ports import SCHEDULER_JOB_API_PORT

pytestmark = pytest.mark.integration

_ROOT = Path(__file__).resolve().parents[2]
# A range of its own (tests/ports.py), so the job's API server (and its log servers at
# +10000/+10001) never takes a database's port.
API_PORT = SCHEDULER_JOB_API_PORT
POPSYNC = [sys.executable, "-m", "popsync.cli"]
SECTORS = ("health_insurance", "justice")  # one dataset each: the job stays short
VICTIM = "health_insurance"


def _job_env() -> dict[str, str]:
    """The CLI's own environment: popsync home and server of the tests, an API port of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_HOME"))}
    env["POPSYNC_API_PORT"] = str(API_PORT)
    env["POPSYNC_RETRY_DELAY_SECONDS"] = "2"
    env["PYTHONPATH"] = os.pathsep.join([str(_ROOT / "plugins"), env.get("PYTHONPATH", "")])
    return env


class Job:
    """A ``popsync run`` subprocess whose output lines are collected as they come."""

    def __init__(self, *args: str) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [*POPSYNC, "run", *args],
            env=_job_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=_ROOT,
        )
        assert self.process.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, predicate: Any, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if predicate(line):
                    return line
            assert self.process.poll() is None, "\n".join(self.lines)
            time.sleep(0.5)
        raise AssertionError("line not seen:\n" + "\n".join(self.lines))

    def wait(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code


def _active_runs(settings: Settings) -> list[tuple[str, str, str]]:
    with psycopg.connect(settings.database_url_for(AIRFLOW_DATABASE)) as conn:
        rows = conn.execute(
            "SELECT dag_id, run_id, state FROM dag_run WHERE state IN ('queued', 'running') ORDER BY dag_id"
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def _task_process(ti_id: str) -> int | None:
    """PID of the process running task instance ``ti_id`` (titled ``airflow worker -- <id>``)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if f"airflow worker -- {ti_id}" in cmdline:
            return int(proc.name)
    return None


@pytest.fixture(scope="module")
def interrupted_then_resumed(generated: object, settings: Settings) -> Iterator[dict[str, Any]]:
    facts: dict[str, Any] = {}
    # 1. A job killed with SIGKILL while its sector run is under way.
    first = Job("--sectors", "justice")
    first.wait_for_line(lambda line: "sync_reference" in line and "running" in line, timeout=600)
    first.process.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    facts["stuck_after_kill"] = _active_runs(settings)

    # 2. The next job, two sectors in parallel; one reconcile task process is killed mid-run.
    second = Job("--sectors", ",".join(SECTORS))
    api = AirflowApi(f"http://127.0.0.1:{API_PORT}")
    killed: dict[str, Any] = {}
    deadline = time.monotonic() + 900
    try:
        second.wait_for_line(lambda line: f"sync_{VICTIM}" in line, timeout=600)
        runs = [r for r in api.active_runs() if r.dag_id == f"sync_{VICTIM}"]
        assert runs, second.lines
        while not killed and time.monotonic() < deadline and second.process.poll() is None:
            for ti in api.task_instances(f"sync_{VICTIM}", runs[0].run_id):
                if ti.task_id.endswith(".reconcile") and ti.state == "running":
                    pid = _task_process(ti.id)
                    if pid is not None:
                        os.kill(pid, signal.SIGKILL)
                        killed = {"task_id": ti.task_id, "run_id": runs[0].run_id, "pid": pid}
                        break
            time.sleep(0.3)
        facts["killed"] = killed
        facts["code"] = second.wait(timeout=max(60.0, deadline - time.monotonic()))
        if killed:
            with psycopg.connect(settings.database_url_for(AIRFLOW_DATABASE)) as conn:
                row = conn.execute(
                    "SELECT state, try_number FROM task_instance WHERE dag_id = %s AND run_id = %s AND task_id = %s",
                    (f"sync_{VICTIM}", killed["run_id"], killed["task_id"]),
                ).fetchone()
            facts["killed_task"] = row
    finally:
        api.close()
        if second.process.poll() is None:
            second.process.send_signal(signal.SIGINT)
            second.wait(timeout=120)
    facts["first"] = first.lines
    facts["second"] = second.lines
    facts["active_after"] = _active_runs(settings)
    yield facts


def test_a_killed_job_leaves_a_stuck_run_that_the_next_job_fails(interrupted_then_resumed: dict[str, Any]) -> None:
    facts = interrupted_then_resumed
    assert "sync_reference" in [dag for dag, _, _ in facts["stuck_after_kill"]], facts["stuck_after_kill"]
    assert any("failed abandoned run sync_reference" in line for line in facts["second"]), facts["second"]


def test_the_next_job_runs_every_dag_through_the_scheduler(interrupted_then_resumed: dict[str, Any]) -> None:
    facts = interrupted_then_resumed
    assert facts["code"] == 0, "\n".join(facts["second"])
    dag_ids = ["sync_reference", *(f"sync_{sector}" for sector in SECTORS)]
    for dag_id in dag_ids:
        assert any(line.startswith(dag_id) and " success " in line for line in facts["second"]), dag_id
    assert facts["active_after"] == []


def test_a_task_killed_mid_reconcile_is_retried_and_the_results_are_right(
    interrupted_then_resumed: dict[str, Any],
) -> None:
    facts = interrupted_then_resumed
    assert facts["killed"], "no reconcile task process was found to kill"
    state, try_number = facts["killed_task"]
    assert (state, try_number >= 2) == ("success", True), facts["killed_task"]
    for sector in [s for s in load_sectors() if s.sector in SECTORS]:
        for dataset in sector.datasets:
            evaluation = evaluate_dataset(sector, dataset.name)
            # missing = extra = 0: every extracted record is matched or mismatched exactly once
            assert (evaluation.missing, evaluation.extra, evaluation.wrong_reasons) == (0, 0, 0), evaluation
            assert all((s.precision, s.recall) == (1.0, 1.0) for s in evaluation.codes), evaluation


def test_the_job_stops_the_services_it_started(interrupted_then_resumed: dict[str, Any], settings: Settings) -> None:
    assert not (settings.airflow_home / "popsync-job-services.json").exists()
    marker = f"POPSYNC_API_PORT={API_PORT}".encode()
    leftovers = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes():
                leftovers.append((proc / "cmdline").read_bytes().decode(errors="replace"))
        except OSError:
            continue
    assert leftovers == []


def test_the_gate_tasks_find_great_expectations_preloaded(
    interrupted_then_resumed: dict[str, Any], settings: Settings
) -> None:
    """No quality_gate task process pays ``import great_expectations``: the scheduler's executor
    imported it before forking its workers, whose supervisors fork the task processes.

    The gate records whether GX was in ``sys.modules`` when it started and what importing it cost
    (``GateResult``, in the task's XCom). The DAG file does not import GX (tests/architecture), so
    a GX found at gate start came through the fork. With the plain LocalExecutor this test fails.
    """
    assert interrupted_then_resumed["code"] == 0
    import json

    with psycopg.connect(settings.database_url_for(AIRFLOW_DATABASE)) as conn:
        rows = conn.execute(
            "WITH latest AS (SELECT DISTINCT ON (dag_id) dag_id, run_id FROM dag_run "
            "WHERE dag_id = ANY(%s) ORDER BY dag_id, id DESC) "
            "SELECT xcom.dag_id, xcom.task_id, xcom.value FROM xcom JOIN latest USING (dag_id, run_id) "
            "WHERE xcom.task_id LIKE '%%.quality_gate' AND xcom.key = 'return_value'",
            ([f"sync_{sector}" for sector in SECTORS],),
        ).fetchall()
    datasets = sum(len(s.datasets) for s in load_sectors() if s.sector in SECTORS)
    assert len(rows) == datasets, rows
    for dag_id, task_id, value in rows:
        state = json.loads(value) if isinstance(value, str) else value
        gate = state["gate"]
        assert gate["gx_preloaded"] is True, (dag_id, task_id, gate)
