"""Crash hygiene: kill -9 a sector DAG run at every stage; published results stay whole.

Each case runs the DAG through Airflow (``dag.test``: the real task runner, XComs, the
real pipeline on real PostgreSQL) in a child process that kills itself with SIGKILL at
one point (``POPSYNC_TEST_KILL_AT``). Then, as the scheduler does with a task whose
process vanished, the killed task instance is marked failed and the same DAG run is run
again. For every stage: the published results are the previous run's, unchanged (or,
killed after the publish commit, wholly the new run's); the retry completes; every
extracted record is matched or mismatched; and no orphan table or work folder remains.

The sector (``crashlab``) is a copy of part of the justice source under its own name, so
the shipped sectors' published results are not touched.
"""

import itertools
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from popsync.pipeline.janitor import sweep_all
from popsync.pipeline.kill_points import KILL_POINTS
from popsync.pipeline.sequence import STAGES as PIPELINE_STAGES
from popsync.settings import Settings
from tests.integration.lab_sector import DATASET, LabSector, make_lab_sector
from tests.integration.sector_cleanup import forget_sector

SECTOR = "crashlab"
ROWS = 400
BASE_DATE = (datetime.now(UTC) - timedelta(hours=12)).replace(microsecond=0)
STAGES = tuple(stage.name for stage in PIPELINE_STAGES)  # the dataset's tasks, in order


@dataclass(frozen=True)
class Crash:
    point: str
    task: str  # the task whose process is killed
    published_after_kill: str  # "previous" or "new"


CRASHES = [
    Crash("plan", "plan", "previous"),
    Crash("extract", "reconcile", "previous"),
    Crash("normalise", "reconcile", "previous"),
    Crash("reconcile", "reconcile", "previous"),
    Crash("quality_gate", "quality_gate", "previous"),
    Crash("publish", "publish", "previous"),
    Crash("publish_committed", "publish", "new"),
]


def test_every_kill_point_is_exercised() -> None:
    assert [crash.point for crash in CRASHES] == list(KILL_POINTS)
    # every stage's task but the approval (no work of its own to interrupt) and the metrics
    approval = {stage.name for stage in PIPELINE_STAGES if stage.kind == "approval"}
    assert {crash.task for crash in CRASHES} == set(STAGES) - {"publish_metrics"} - approval


def _warehouse(lab: LabSector) -> psycopg.Connection[Any]:
    return psycopg.connect(lab.settings.database_url_for("popsync_warehouse"))


def _source(lab: LabSector) -> psycopg.Connection[Any]:
    return psycopg.connect(lab.settings.database_url_for(lab.database))


@pytest.fixture(scope="module")
def lab(first_runs: object, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabSector]:
    """The crashlab source (400 justice records) and a sectors folder holding only it."""
    lab = make_lab_sector(
        settings,
        tmp_path_factory,
        sector=SECTOR,
        title="Crash laboratory (a copy of justice birth registrations)",
        rows=ROWS,
    )
    try:
        baseline = lab.run(BASE_DATE)
        assert baseline.code == 0 and baseline.result is not None and baseline.result.succeeded, baseline.tail
        yield lab
    finally:
        lab.close()
    forget_sector(settings, SECTOR)


def _published(lab: LabSector) -> tuple[Any, list[tuple[Any, ...]]]:
    with _warehouse(lab) as conn:
        pointer = conn.execute(
            "SELECT run_id, matches_table, mismatches_table FROM sync.published_runs WHERE sector = %s", (SECTOR,)
        ).fetchone()
        rows = conn.execute(
            "SELECT source_key, NULL::text[] AS reasons, run_id FROM sync.matches WHERE sector = %(s)s "
            "UNION ALL SELECT source_key, reasons, run_id FROM sync.mismatches WHERE sector = %(s)s ORDER BY 1",
            {"s": SECTOR},
        ).fetchall()
    return pointer, rows


def _orphans(lab: LabSector) -> list[str]:
    with _warehouse(lab) as conn:
        tables = conn.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class AS c "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('staging', 'sync_partitions') AND c.relkind IN ('r', 'p') "
            "AND c.relname LIKE %(pattern)s "
            "AND c.relname NOT IN (%(m)s, %(mm)s, %(c)s) "
            "AND c.relname NOT IN (SELECT matches_table FROM sync.published_runs "
            "                      UNION SELECT mismatches_table FROM sync.published_runs "
            "                      UNION SELECT candidates_table FROM sync.published_runs)",
            {
                "pattern": f"%{SECTOR}%",
                "m": f"matches__{SECTOR}",
                "mm": f"mismatches__{SECTOR}",
                "c": f"suggestion_candidates__{SECTOR}",
            },
        ).fetchall()
    runs_dir = lab.settings.work_dir / "runs"
    folders = [f"work/runs/{p.name}" for p in runs_dir.glob(f"{SECTOR}__*")] if runs_dir.is_dir() else []
    return [str(row[0]) for row in tables] + folders


def _source_keys(lab: LabSector) -> list[str]:
    with _source(lab) as conn:
        return [str(row[0]) for row in conn.execute("SELECT so_dang_ky FROM ho_tich.dang_ky_khai_sinh ORDER BY 1")]


_LATER = itertools.count(1)  # a run for an older date than the published one would not publish


@pytest.mark.parametrize("crash", CRASHES, ids=[crash.point for crash in CRASHES])
def test_kill_at_each_stage_keeps_published_results_whole(lab: LabSector, crash: Crash) -> None:
    when = BASE_DATE + timedelta(hours=next(_LATER))  # later than any run before, whatever the order
    pointer_before, rows_before = _published(lab)
    matched_before = sorted(key for key, reasons, _ in rows_before if reasons is None)
    changed = matched_before[:3]  # these become NAME_MISMATCH in the new run
    with _source(lab) as conn:
        conn.execute(
            "UPDATE ho_tich.dang_ky_khai_sinh SET ho_ten = ho_ten || ' Khác' WHERE so_dang_ky = ANY(%s)", (changed,)
        )

    killed = lab.run(when, kill_at=crash.point)
    assert killed.code == -signal.SIGKILL, (crash.point, killed.code, killed.tail)

    pointer_after_kill, rows_after_kill = _published(lab)
    if crash.published_after_kill == "previous":
        assert (pointer_after_kill, rows_after_kill) == (pointer_before, rows_before), crash.point
    else:
        assert pointer_after_kill != pointer_before
        assert {run_id for *_, run_id in rows_after_kill} == {pointer_after_kill[0]}
        assert len(rows_after_kill) == ROWS

    retry = lab.run(when, retry=True)
    retried, tail = retry.result, retry.tail
    assert retry.code == 0 and retried is not None, tail
    assert retried.task_states[f"{DATASET}.{crash.task}"] == "success"
    assert retried.succeeded, tail
    approval = f"{DATASET}.approve_publish"  # skipped: no review-level breach, no operator needed
    assert retried.task_states.get(approval, "skipped") == "skipped"
    assert {state for task, state in retried.task_states.items() if task != approval} == {"success"}

    pointer, rows = _published(lab)
    assert pointer[0] == retried.run_id
    assert {run_id for *_, run_id in rows} == {retried.run_id}  # wholly the new run
    assert sorted(key for key, *_ in rows) == _source_keys(lab)  # every record, once
    reasons = {key: r for key, r, _ in rows}
    assert all(reasons[key] is not None and "NAME_MISMATCH" in reasons[key] for key in changed)
    with _warehouse(lab) as conn:
        counts = conn.execute(
            "SELECT total, matched + mismatched FROM sync.sector_sync_rate WHERE sector = %s AND run_id = %s",
            (SECTOR, retried.run_id),
        ).fetchone()
    assert counts == (ROWS, ROWS)  # conservation: every extracted record matched or mismatched

    assert _orphans(lab) == [], crash.point


def test_daily_sweep_leaves_only_published_tables(lab: LabSector) -> None:
    """After the retries no table is left to drop; the sweep clears the killed DuckDB sessions' scratch."""
    published_before = _published(lab)
    assert _orphans(lab) == []  # the retries left nothing of this sector for the sweep
    sweep_all(grace=timedelta(0))  # other tests' failed runs may leave tables of their own sectors
    assert _published(lab) == published_before
    assert list(lab.settings.work_dir.glob("duckdb-*")) == []
    assert _orphans(lab) == []
    with _warehouse(lab) as conn:
        left = conn.execute(
            "SELECT table_name FROM staging.run_tables WHERE sector = %s ORDER BY 1", (SECTOR,)
        ).fetchall()
        pointer = conn.execute(
            "SELECT matches_table, mismatches_table, candidates_table FROM sync.published_runs WHERE sector = %s",
            (SECTOR,),
        ).fetchone()
    assert pointer is not None
    assert sorted(row[0] for row in left) == sorted(pointer)  # only the published tables stay registered
