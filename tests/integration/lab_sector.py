"""A laboratory sector for tests that kill DAG runs, and a child process that runs one DAG.

The sector is a copy of part of the justice birth registrations under its own name and its
own source database, so the shipped sectors' published results are not touched. A run goes
through Airflow (``dag.test``: the real task runner, XComs, the real pipeline on real
PostgreSQL) in a child process, which may kill itself with SIGKILL at a kill point
(``POPSYNC_TEST_KILL_AT``). The children are forked from one long-lived process that imported
Airflow, parsed the DAGs and preloaded Great Expectations once, as an Airflow worker does before
it forks its task processes, so a run does not pay for those imports again.
"""

import contextlib
import itertools
import json
import os
import select
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from popsync.db.connections import connection_env_var
from popsync.db.databases import recreate_database
from popsync.db.sql_files import read_sql
from popsync.local.dag_runner import DagRunResult
from popsync.settings import KILL_AT_ENV, Settings, source_conn_id, source_database

DATASET = "birth_registrations"

_DEFINITION = """
sector: {sector}
title: {title}
owner: tests
datasets:
  birth_registrations:
    title: Birth registrations
    extract_sql: sources/justice/birth_registrations.sql
    columns:
      source_key: so_dang_ky
      national_id: ma_dinh_danh
      full_name: ho_ten
      birth_date: ngay_sinh
      gender: gioi_tinh
      updated_at: ngay_so_hoa
    birth_date_formats: [dd/mm/yyyy]
    genders: {{M: M, F: F}}
"""

_RUNNER = r"""
# A long-lived parent as an Airflow worker is one: it imports Airflow, parses the DAG folder and
# preloads the engines (Great Expectations) once, then forks a child per DAG run, as a worker
# forks its task processes. Each child runs one DAG (dag.test) and may kill itself with SIGKILL.
# One request per line on stdin (JSON); for each, the child's pid, then its exit code
# (negative: the signal that ended it) on the original stdout; all logging goes to stderr.
import json, os, sys, traceback
from datetime import datetime

replies = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)

import airflow.api_fastapi.execution_api.app  # dag.test's in-process task API
from popsync.airflow.preload import preload_engines
from popsync.local.dag_runner import load_dags, run_dag

load_dags()
preload_engines()
print(json.dumps({"ready": os.getpid()}), file=replies, flush=True)


def child(mode, dag_id, when, kill_at):
    if kill_at is not None:
        os.environ[KILL_AT_ENV] = kill_at
    if mode == "retry":
        # What the scheduler does with a task instance whose process disappeared: fail it.
        from sqlalchemy import update
        from airflow.models.taskinstance import TaskInstance
        from airflow.utils.session import create_session
        with create_session() as session:
            session.execute(
                update(TaskInstance)
                .where(TaskInstance.dag_id == dag_id, TaskInstance.state.in_(["running", "queued"]))
                .values(state="failed")
                .execution_options(synchronize_session=False)
            )
    # dag.test() clears the run's task instances and runs every task again: the retry of the
    # killed task, with its upstream tasks re-run too (dag.test keeps no XCom across processes).
    result = run_dag(dag_id, datetime.fromisoformat(when))
    print("RESULT " + json.dumps({"state": result.state, "run_id": result.run_id, "tasks": result.task_states}))


for line in sys.stdin:
    request = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(replies.fileno())
            out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.close(out)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            child(request["mode"], request["dag_id"], request["when"], request["kill_at"])
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            try:
                import atexit, logging
                atexit._run_exitfuncs()  # what a process's normal exit runs
                logging.shutdown()
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    print(json.dumps({"pid": pid}), file=replies, flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"code": os.waitstatus_to_exitcode(status)}), file=replies, flush=True)
""".replace("KILL_AT_ENV", repr(KILL_AT_ENV))

_RUN_TIMEOUT = 600.0
"""Seconds one DAG run may take before the child (and its runner) are stopped."""


class _Runner:
    """The process that forks one child per DAG run (see ``_RUNNER``), started at the first run."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self._env = env
        self._folder = folder
        self._process: subprocess.Popen[str] | None = None
        self._runs = itertools.count(1)

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _RUNNER],
                env=self._env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=(self._folder / "runner.log").open("a", encoding="utf-8"),
                text=True,
            )
            self._reply(self._process, "ready")
        return self._process

    def _reply(self, process: subprocess.Popen[str], key: str) -> int:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], _RUN_TIMEOUT)
        line = process.stdout.readline() if ready else ""
        if not line:
            self.close()
            log = (self._folder / "runner.log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"the DAG runner gave no {key!r} (timed out or ended):\n{log[-3000:]}")
        return int(json.loads(line)[key])

    def run(self, mode: str, dag_id: str, when: datetime, kill_at: str | None) -> tuple[int, str]:
        """Fork a child that runs ``dag_id`` once; its exit code and its output."""
        process = self._started()
        out = self._folder / f"run-{next(self._runs)}.log"
        assert process.stdin is not None
        request = {"mode": mode, "dag_id": dag_id, "when": when.isoformat(), "kill_at": kill_at, "out": str(out)}
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        child = self._reply(process, "pid")
        try:
            code = self._reply(process, "code")
        except RuntimeError:
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
            raise
        return code, out.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                with contextlib.suppress(OSError):
                    self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


@dataclass(frozen=True)
class ChildRun:
    """How a child process running one DAG ended: its exit code, the run (if it got that far), its last lines."""

    code: int
    result: DagRunResult | None
    tail: str


@dataclass(frozen=True)
class LabSector:
    sector: str
    env: dict[str, str]
    settings: Settings
    runner: _Runner = field(repr=False, compare=False)

    @property
    def dag_id(self) -> str:
        return f"sync_{self.sector}"

    @property
    def database(self) -> str:
        return source_database(self.sector)

    def run(
        self, when: datetime, *, dag_id: str | None = None, kill_at: str | None = None, retry: bool = False
    ) -> ChildRun:
        """Run ``dag_id`` (the sector's DAG by default) for ``when`` in a child process.

        ``retry`` first fails the task instances left running or queued, as the scheduler does
        with a task whose process vanished; ``kill_at`` makes the child kill itself there.
        """
        dag = dag_id or self.dag_id
        code, output = self.runner.run("retry" if retry else "run", dag, when, kill_at)
        tail = "\n".join(output.splitlines()[-30:])
        lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
        if not lines:
            return ChildRun(code, None, tail)
        data = json.loads(lines[-1].removeprefix("RESULT "))
        return ChildRun(code, DagRunResult(dag, data["run_id"], data["state"], data["tasks"]), tail)

    def close(self) -> None:
        """Stop the process that forks the runs."""
        self.runner.close()


def make_lab_sector(
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    *,
    sector: str,
    title: str,
    rows: int,
    env: dict[str, str] | None = None,
) -> LabSector:
    """The sector's source (the first ``rows`` justice birth registrations) and a sectors folder holding only it.

    Tasks are not retried (``POPSYNC_TASK_RETRIES=0``); ``env`` adds or overrides variables.
    """
    database = source_database(sector)
    recreate_database(settings, database)
    with (
        psycopg.connect(settings.database_url_for("popsync_src_justice")) as justice,
        psycopg.connect(settings.database_url_for(database)) as target,
    ):
        target.execute(read_sql("sources/justice/schema.sql"))
        copied = justice.execute(
            "SELECT * FROM ho_tich.dang_ky_khai_sinh ORDER BY so_dang_ky LIMIT %s", (rows,)
        ).fetchall()
        with target.cursor() as cur:
            cur.executemany("INSERT INTO ho_tich.dang_ky_khai_sinh VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", copied)
    sectors_dir = tmp_path_factory.mktemp(f"{sector}_sectors")
    (sectors_dir / f"{sector}.yaml").write_text(_DEFINITION.format(sector=sector, title=title), encoding="utf-8")
    child_env: dict[str, str] = {
        **os.environ,
        "POPSYNC_SECTORS_DIR": str(sectors_dir),
        connection_env_var(source_conn_id(sector)): settings.database_url_for(database),
        "POPSYNC_TASK_RETRIES": "0",
        **(env or {}),
    }
    child_env.pop(KILL_AT_ENV, None)
    runner = _Runner(child_env, tmp_path_factory.mktemp(f"{sector}_runs"))
    return LabSector(sector, child_env, settings, runner)
