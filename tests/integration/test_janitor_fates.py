"""Tables of runs Airflow knows are dead go at the next run; runs of unknown fate keep theirs.

Through Airflow (``dag.test``, the real task runner and its task SDK, real PostgreSQL): three
runs of the ``fatelab`` sector are killed with SIGKILL after writing result tables. As the
scheduler does with a task whose process vanished, one is then marked failed (task and DAG
run); one stays running; one is left awaiting an operator's approval (its gate passed, its
``approve_publish`` deferred). Their tables are minutes old, far inside the janitor's grace.
The next run's janitor (its reconcile task) drops the failed run's tables at once and keeps
the others; the daily sweep (the ``popsync_maintenance`` DAG) drops a run's as soon as
Airflow records it failed, and still keeps the one awaiting approval.
"""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from popsync.db.databases import recreate_database
from popsync.db.sql_files import read_sql
from popsync.pipeline.janitor import sweep_all
from popsync.settings import KILL_AT_ENV, Settings
from tests.integration.sector_cleanup import forget_sector

SECTOR = "fatelab"
DAG_ID = f"sync_{SECTOR}"
DATASET = "birth_registrations"
DATABASE = f"popsync_src_{SECTOR}"
ROWS = 200
BASE_DATE = (datetime.now(UTC) - timedelta(hours=20)).replace(microsecond=0)
RESULT_TABLES = 3
"""Unpublished result tables one run attempt leaves: matches, mismatches, suggestion candidates."""

DEFINITION = """
sector: fatelab
title: Janitor laboratory (a copy of justice birth registrations)
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
    genders: {M: M, F: F}
"""

CHILD = """
import json, sys
from datetime import datetime
from popsync.local.dag_runner import run_dag
result = run_dag(sys.argv[1], datetime.fromisoformat(sys.argv[2]))
print("RESULT " + json.dumps({"state": result.state, "run_id": result.run_id}))
"""


@dataclass(frozen=True)
class Lab:
    env: dict[str, str]
    settings: Settings

    def run(self, dag_id: str, when: datetime, *, kill_at: str | None = None) -> tuple[int, str]:
        env = dict(self.env)
        if kill_at is not None:
            env[KILL_AT_ENV] = kill_at
        done = subprocess.run(
            [sys.executable, "-c", CHILD, dag_id, when.isoformat()],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        return done.returncode, "\n".join((done.stdout + done.stderr).splitlines()[-30:])

    def killed_run(self, when: datetime, kill_at: str) -> str:
        """A run killed at ``kill_at``; its Airflow run id."""
        code, tail = self.run(DAG_ID, when, kill_at=kill_at)
        assert code == -signal.SIGKILL, (kill_at, code, tail)
        return _run_id(when)

    def tables(self, run_id: str) -> list[str]:
        """The run's registered result tables that exist."""
        with psycopg.connect(self.settings.database_url_for("popsync_warehouse")) as conn:
            rows = conn.execute(
                "SELECT table_name FROM staging.run_tables WHERE sector = %s AND run_id = %s "
                "AND to_regclass(quote_ident(schema_name) || '.' || quote_ident(table_name)) IS NOT NULL "
                "ORDER BY 1",
                (SECTOR, run_id),
            ).fetchall()
        return [str(row[0]) for row in rows]


def _run_id(when: datetime) -> str:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run_id = session.scalar(select(DagRun.run_id).where(DagRun.dag_id == DAG_ID, DagRun.logical_date == when))
    assert run_id is not None
    return str(run_id)


def _set_states(run_id: str, run_state: str, task_states: dict[str, str]) -> None:
    """Record in Airflow what the scheduler (or an operator's pending approval) would."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import update

    with create_session() as session:
        for task_id, state in task_states.items():
            session.execute(
                update(TaskInstance)
                .where(TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run_id, TaskInstance.task_id == task_id)
                .values(state=state)
                .execution_options(synchronize_session=False)
            )
        session.execute(
            update(DagRun)
            .where(DagRun.dag_id == DAG_ID, DagRun.run_id == run_id)
            .values(state=run_state)
            .execution_options(synchronize_session=False)
        )


@pytest.fixture(scope="module")
def lab(first_runs: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The fatelab source (200 justice records) and a sectors folder holding only it."""
    recreate_database(settings, DATABASE)
    with (
        psycopg.connect(settings.database_url_for("popsync_src_justice")) as justice,
        psycopg.connect(settings.database_url_for(DATABASE)) as target,
    ):
        target.execute(read_sql("sources/justice/schema.sql"))
        rows = justice.execute(
            "SELECT * FROM ho_tich.dang_ky_khai_sinh ORDER BY so_dang_ky LIMIT %s", (ROWS,)
        ).fetchall()
        with target.cursor() as cur:
            cur.executemany("INSERT INTO ho_tich.dang_ky_khai_sinh VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    sectors_dir = tmp_path_factory.mktemp("fatelab_sectors")
    (sectors_dir / f"{SECTOR}.yaml").write_text(DEFINITION, encoding="utf-8")
    env: dict[str, str] = {
        **os.environ,
        "POPSYNC_SECTORS_DIR": str(sectors_dir),
        f"AIRFLOW_CONN_POPSYNC_SOURCE_{SECTOR.upper()}": settings.database_url_for(DATABASE),
        "POPSYNC_TASK_RETRIES": "0",
        "POPSYNC_JANITOR_GRACE_HOURS": "6",
    }
    env.pop(KILL_AT_ENV, None)
    yield Lab(env, settings)
    sweep_all(grace=timedelta(0))  # the run left awaiting approval
    forget_sector(settings, SECTOR)


def test_dead_runs_tables_go_at_the_next_run_and_unknown_fates_keep_theirs(lab: Lab) -> None:
    group = f"{DATASET}."
    running = lab.killed_run(BASE_DATE, "reconcile")  # its process gone, not yet noticed
    awaiting = lab.killed_run(BASE_DATE + timedelta(hours=1), "quality_gate")
    _set_states(
        awaiting,
        "running",
        {f"{group}reconcile": "success", f"{group}quality_gate": "success", f"{group}approve_publish": "deferred"},
    )
    failed = lab.killed_run(BASE_DATE + timedelta(hours=2), "reconcile")  # its janitor kept the two above
    _set_states(failed, "failed", {f"{group}reconcile": "failed"})
    for run_id in (failed, running, awaiting):
        assert len(lab.tables(run_id)) == RESULT_TABLES, run_id  # minutes old

    code, tail = lab.run(DAG_ID, BASE_DATE + timedelta(hours=3))
    assert code == 0 and "RESULT" in tail and '"success"' in tail, tail
    assert lab.tables(failed) == []  # known dead: gone at once, inside the grace period
    assert len(lab.tables(running)) == RESULT_TABLES  # fate unknown: kept
    assert len(lab.tables(awaiting)) == RESULT_TABLES  # awaiting approval: kept

    _set_states(running, "failed", {f"{group}reconcile": "failed"})  # the scheduler notices at last
    code, tail = lab.run("popsync_maintenance", BASE_DATE + timedelta(hours=4))
    assert code == 0 and '"success"' in tail, tail
    assert lab.tables(running) == []
    assert len(lab.tables(awaiting)) == RESULT_TABLES
    with psycopg.connect(lab.settings.database_url_for("popsync_warehouse")) as conn:
        registered = conn.execute(
            "SELECT count(*) FROM staging.run_tables WHERE sector = %s AND run_id = ANY(%s)",
            (SECTOR, [failed, running]),
        ).fetchone()
    assert registered == (0,)
