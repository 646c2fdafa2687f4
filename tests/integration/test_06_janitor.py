"""The janitor removes what crashed runs leave, and never what is published or still running.

Real PostgreSQL: the tables are made by the pipeline's own functions and registered as they
would be; ages are set by back-dating the registry rows and the folders' times.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from popsync.pipeline.extract import create_staging_table
from popsync.pipeline.janitor import JanitorResult, grace_period, sweep_all, sweep_dataset
from popsync.pipeline.publish import publish
from popsync.pipeline.reconcile import _create_result_tables
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.sectors.model import SectorDefinition
from popsync.settings import Settings

NOW = datetime.now(UTC)
OLD = NOW - timedelta(hours=10)
RECENT = NOW - timedelta(hours=1)


def _sector(name: str) -> SectorDefinition:
    dataset = {
        "title": "People",
        "extract_sql": "sources/justice/birth_registrations.sql",
        "columns": {"source_key": "a", "national_id": "b", "full_name": "c", "birth_date": "d", "gender": "e"},
        "birth_date_formats": ["yyyy"],
        "genders": {"M": "M"},
    }
    return SectorDefinition.model_validate(
        {
            "sector": name,
            "title": name,
            "owner": "tests",
            "datasets": [{"name": "people", **dataset}, {"name": "others", **dataset}],
        }
    )


SECTOR = _sector("janitor_lab")


def _run(tag: str, dataset: int = 0, attempt: str = "_a1") -> DatasetRun:
    return DatasetRun(SECTOR, SECTOR.datasets[dataset], f"manual__{tag}", NOW - timedelta(days=1), attempt)


def _make(run: DatasetRun, *, age: datetime, results: bool = True, folder: bool = True) -> None:
    """The run's tables (and work folder) as a crash would leave them, registered ``age`` ago."""
    create_staging_table(run)
    if results:
        _create_result_tables(run)
    if folder:
        run.work_dir.mkdir(parents=True, exist_ok=True)
        (run.work_dir / "normalised.parquet").write_bytes(b"x")
        for path in (run.work_dir / "normalised.parquet", run.work_dir):
            os.utime(path, (age.timestamp(), age.timestamp()))
    _backdate(run, age)


def _backdate(run: DatasetRun, age: datetime) -> None:
    with psycopg.connect(_url()) as conn:
        conn.execute("UPDATE staging.run_tables SET registered_at = %s WHERE run_id = %s", (age, run.run_id))


def _url() -> str:
    from popsync.settings import get_settings

    return get_settings().database_url_for("popsync_warehouse")


def _exists(table: tuple[str, str]) -> bool:
    with psycopg.connect(_url()) as conn:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{table[0]}.{table[1]}",)).fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class Lab:
    published: DatasetRun
    crashed: DatasetRun
    running: DatasetRun
    current: DatasetRun
    earlier_attempt: DatasetRun
    other_dataset: DatasetRun
    scratch: Path


@pytest.fixture(scope="module")
def lab(server_url: str, settings: Settings) -> Iterator[Lab]:
    ensure_warehouse_schema()
    published = _run("published", attempt="_p1")
    _make(published, age=OLD, folder=False)
    assert publish(published).published
    crashed = _run("crashed")
    _make(crashed, age=OLD)
    running = _run("running")  # another run still going on (registered an hour ago)
    _make(running, age=RECENT)
    current = _run("current", attempt="_c2")
    earlier_attempt = _run("current", attempt="_c1")  # a reconcile attempt of the current run that was killed
    _make(earlier_attempt, age=RECENT)
    _make(current, age=NOW, results=False)
    other_dataset = _run("crashed_other", dataset=1)
    _make(other_dataset, age=OLD)
    with psycopg.connect(_url()) as conn:  # a registered table that no longer exists
        conn.execute(
            "INSERT INTO staging.run_tables (schema_name, table_name, sector, dataset, run_id, kind, registered_at) "
            "VALUES ('staging', 'janitor_lab__people__gone', 'janitor_lab', 'people', 'manual__gone', 'raw', %s)",
            (OLD,),
        )
    scratch = settings.work_dir / "duckdb-killed"
    scratch.mkdir(parents=True, exist_ok=True)
    os.utime(scratch, (OLD.timestamp(), OLD.timestamp()))
    yield Lab(published, crashed, running, current, earlier_attempt, other_dataset, scratch)


def _tables(run: DatasetRun) -> list[tuple[str, str]]:
    return [run.raw_table, run.matches_table, run.mismatches_table]


def test_grace_period_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POPSYNC_JANITOR_GRACE_HOURS", raising=False)
    assert grace_period() == timedelta(hours=6)
    monkeypatch.setenv("POPSYNC_JANITOR_GRACE_HOURS", "0.5")
    assert grace_period() == timedelta(minutes=30)
    monkeypatch.setenv("POPSYNC_JANITOR_GRACE_HOURS", "-1")
    with pytest.raises(ValueError, match="zero or more"):
        grace_period()


def test_the_dataset_sweep_at_the_start_of_a_run(lab: Lab) -> None:
    result = sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW)
    # the crashed run (3 tables), the published run's leftover staging table (1), the current
    # run's killed attempt (2 result tables); the registered table that is gone is forgotten;
    # the crashed run's work folder and the killed DuckDB session's scratch folder are removed
    assert result == JanitorResult(tables_dropped=6, registry_rows_pruned=7, work_dirs_removed=2)
    assert not any(_exists(t) for t in _tables(lab.crashed))
    assert not any(_exists(t) for t in (lab.earlier_attempt.matches_table, lab.earlier_attempt.mismatches_table))
    assert not lab.crashed.work_dir.exists()
    assert not lab.scratch.exists()
    # never: the published run, a run still going on, the running run itself, another dataset
    assert all(_exists(t) for t in (lab.published.matches_table, lab.published.mismatches_table))
    assert all(_exists(t) for t in _tables(lab.running))
    assert lab.running.work_dir.exists()
    assert _exists(lab.current.raw_table) and lab.current.work_dir.exists()
    assert all(_exists(t) for t in _tables(lab.other_dataset))


def test_a_second_sweep_finds_nothing(lab: Lab) -> None:
    assert sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW) == JanitorResult(0, 0, 0)


def test_the_daily_sweep_covers_every_dataset_but_keeps_what_is_recent(lab: Lab) -> None:
    result = sweep_all(grace=timedelta(hours=6), now=NOW)
    assert result.tables_dropped == 3  # the other dataset's crashed run
    assert not any(_exists(t) for t in _tables(lab.other_dataset))
    assert all(_exists(t) for t in _tables(lab.running))
    assert all(_exists(t) for t in (lab.published.matches_table, lab.published.mismatches_table))


def test_with_no_grace_only_published_partitions_stay(lab: Lab) -> None:
    sweep_all(grace=timedelta(0), now=NOW + timedelta(seconds=1))
    assert not any(_exists(t) for t in _tables(lab.running))
    assert not _exists(lab.current.raw_table)
    assert all(_exists(t) for t in (lab.published.matches_table, lab.published.mismatches_table))
    with psycopg.connect(_url()) as conn:
        registered = conn.execute(
            "SELECT table_name FROM staging.run_tables WHERE sector = 'janitor_lab' ORDER BY 1"
        ).fetchall()
        served = conn.execute("SELECT count(*) FROM sync.matches WHERE sector = 'janitor_lab'").fetchone()
    assert [row[0] for row in registered] == sorted([lab.published.matches_table[1], lab.published.mismatches_table[1]])
    assert served == (0,)  # still readable through the contract


def test_publish_retried_after_its_commit_is_a_no_op(lab: Lab) -> None:
    outcome = publish(lab.published)
    assert (outcome.published, outcome.reason) == (True, "already published")
