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

import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from popsync.pipeline.janitor import sweep_all
from popsync.settings import Settings
from tests.integration.lab_sector import DATASET, LabSector, make_lab_sector
from tests.integration.sector_cleanup import forget_sector

SECTOR = "fatelab"
DAG_ID = f"sync_{SECTOR}"
ROWS = 200
BASE_DATE = (datetime.now(UTC) - timedelta(hours=20)).replace(microsecond=0)
RESULT_TABLES = 3
"""Unpublished result tables one run attempt leaves: matches, mismatches, suggestion candidates."""


def _killed_run(lab: LabSector, when: datetime, kill_at: str) -> str:
    """A run killed at ``kill_at``; its Airflow run id."""
    done = lab.run(when, kill_at=kill_at)
    assert done.code == -signal.SIGKILL, (kill_at, done.code, done.tail)
    return _run_id(when)


def _tables(lab: LabSector, run_id: str) -> list[str]:
    """The run's registered result tables that exist."""
    with psycopg.connect(lab.settings.database_url_for("popsync_warehouse")) as conn:
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
def lab(first_runs: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabSector]:
    """The fatelab source (200 justice records) and a sectors folder holding only it."""
    lab = make_lab_sector(
        settings,
        tmp_path_factory,
        sector=SECTOR,
        title="Janitor laboratory (a copy of justice birth registrations)",
        rows=ROWS,
        env={"POPSYNC_JANITOR_GRACE_HOURS": "6"},
    )
    try:
        yield lab
    finally:
        lab.close()
    sweep_all(grace=timedelta(0))  # the run left awaiting approval
    forget_sector(settings, SECTOR)


def test_dead_runs_tables_go_at_the_next_run_and_unknown_fates_keep_theirs(lab: LabSector) -> None:
    group = f"{DATASET}."
    running = _killed_run(lab, BASE_DATE, "reconcile")  # its process gone, not yet noticed
    awaiting = _killed_run(lab, BASE_DATE + timedelta(hours=1), "quality_gate")
    _set_states(
        awaiting,
        "running",
        {f"{group}reconcile": "success", f"{group}quality_gate": "success", f"{group}approve_publish": "deferred"},
    )
    failed = _killed_run(lab, BASE_DATE + timedelta(hours=2), "reconcile")  # its janitor kept the two above
    _set_states(failed, "failed", {f"{group}reconcile": "failed"})
    for run_id in (failed, running, awaiting):
        assert len(_tables(lab, run_id)) == RESULT_TABLES, run_id  # minutes old

    done = lab.run(BASE_DATE + timedelta(hours=3))
    assert done.code == 0 and done.result is not None and done.result.succeeded, done.tail
    assert _tables(lab, failed) == []  # known dead: gone at once, inside the grace period
    assert len(_tables(lab, running)) == RESULT_TABLES  # fate unknown: kept
    assert len(_tables(lab, awaiting)) == RESULT_TABLES  # awaiting approval: kept

    _set_states(running, "failed", {f"{group}reconcile": "failed"})  # the scheduler notices at last
    done = lab.run(BASE_DATE + timedelta(hours=4), dag_id="popsync_maintenance")
    assert done.code == 0 and done.result is not None and done.result.succeeded, done.tail
    assert _tables(lab, running) == []
    assert len(_tables(lab, awaiting)) == RESULT_TABLES
    with psycopg.connect(lab.settings.database_url_for("popsync_warehouse")) as conn:
        registered = conn.execute(
            "SELECT count(*) FROM staging.run_tables WHERE sector = %s AND run_id = ANY(%s)",
            (SECTOR, [failed, running]),
        ).fetchone()
    assert registered == (0,)
