"""A laboratory sector for tests that kill DAG runs, and a child process that runs one DAG.

The sector is a copy of part of the justice birth registrations under its own name and its
own source database, so the shipped sectors' published results are not touched. A run goes
through Airflow (``dag.test``: the real task runner, XComs, the real pipeline on real
PostgreSQL) in a child process, which may kill itself with SIGKILL at a kill point
(``POPSYNC_TEST_KILL_AT``).
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime

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

_CHILD = """
import json, sys
from datetime import datetime
mode, dag_id, when = sys.argv[1:4]
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
from popsync.local.dag_runner import run_dag
result = run_dag(dag_id, datetime.fromisoformat(when))
print("RESULT " + json.dumps({"state": result.state, "run_id": result.run_id, "tasks": result.task_states}))
"""


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
        env = dict(self.env)
        if kill_at is not None:
            env[KILL_AT_ENV] = kill_at
        dag = dag_id or self.dag_id
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, "retry" if retry else "run", dag, when.isoformat()],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if not lines:
            return ChildRun(done.returncode, None, tail)
        data = json.loads(lines[-1].removeprefix("RESULT "))
        return ChildRun(done.returncode, DagRunResult(dag, data["run_id"], data["state"], data["tasks"]), tail)


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
    return LabSector(sector, child_env, settings)
