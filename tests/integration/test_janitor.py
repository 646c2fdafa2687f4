"""The janitor removes what crashed runs leave, and never what is published or still running.

Real PostgreSQL: the result tables are made and registered by the pipeline's own function;
ages are set by back-dating the registry rows and the folders' times.
"""

import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from popsync.pipeline.fates import RunRef
from popsync.pipeline.janitor import JanitorResult, grace_period, sweep_all, sweep_dataset
from popsync.pipeline.publish import publish
from popsync.pipeline.reconcile import _create_result_tables
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.state_folders import state_folder, state_root
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.sectors.model import SectorDefinition
from popsync.settings import Settings, get_settings
from tests.integration.sector_cleanup import forget_sector

NOW = datetime.now(UTC)
OLD = NOW - timedelta(hours=10)
RECENT = NOW - timedelta(hours=1)
LEGACY_STAGING = "janitor_lab__people__r0123456789"


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


def _url() -> str:
    return get_settings().database_url_for("popsync_warehouse")


def _run(tag: str, dataset: int = 0, attempt: str = "_a1") -> DatasetRun:
    return DatasetRun(SECTOR, SECTOR.datasets[dataset], f"manual__{tag}", NOW - timedelta(days=1), attempt)


def _make(run: DatasetRun, *, age: datetime) -> None:
    """The run's result tables as a crash would leave them, registered ``age`` ago."""
    _create_result_tables(run, 0)  # an unsplit run: its one bucket writes the run's own tables
    with psycopg.connect(_url()) as conn:
        conn.execute(
            "UPDATE staging.run_tables SET registered_at = %s WHERE run_id = %s AND attempt = %s",
            (age, run.run_id, run.attempt),
        )


def _folder(path: Path, age: datetime) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "spill.bin").write_bytes(b"x")
    for item in (path / "spill.bin", path):
        os.utime(item, (age.timestamp(), age.timestamp()))
    return path


def _exists(table: tuple[str, str]) -> bool:
    with psycopg.connect(_url()) as conn:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{table[0]}.{table[1]}",)).fetchone()
    return bool(row and row[0])


def _results(run: DatasetRun) -> list[tuple[str, str]]:
    return list(run.result_tables().values())


@dataclass(frozen=True)
class Lab:
    published: DatasetRun
    crashed: DatasetRun
    running: DatasetRun
    current: DatasetRun
    earlier_attempt: DatasetRun
    other_dataset: DatasetRun
    scratch: Path
    recent_scratch: Path
    legacy_folder: Path


def _clear_lab(settings: Settings) -> None:
    """Remove every table, registry row and folder a lab makes, so each test starts from none."""
    forget_sector(settings, SECTOR.sector)
    with psycopg.connect(_url(), autocommit=True) as conn:
        for schema, table in conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_name LIKE %s OR (table_schema = 'staging' AND table_name = %s)",
            (f"%{SECTOR.sector}%", LEGACY_STAGING),
        ).fetchall():
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(schema, table)))
        conn.execute("DELETE FROM staging.run_tables WHERE sector = %s", (SECTOR.sector,))
    for name in ("duckdb-killed", "duckdb-live", "runs/janitor_lab__people__r0123456789"):
        shutil.rmtree(settings.work_dir / name, ignore_errors=True)
    for dataset in SECTOR.datasets:
        shutil.rmtree(state_root() / f"{SECTOR.sector}__{dataset.name}", ignore_errors=True)


@pytest.fixture
def lab(server_url: str, settings: Settings) -> Iterator[Lab]:
    """A fresh lab for each test (cheap: small tables, no DAG run); nothing of it is left after."""
    ensure_warehouse_schema()
    _clear_lab(settings)
    published = _run("published", attempt="_p1")
    _make(published, age=OLD)
    assert publish(published, 0).published
    crashed = _run("crashed")
    _make(crashed, age=OLD)
    running = _run("running")  # another run still going on (its tables are an hour old)
    _make(running, age=RECENT)
    earlier_attempt = _run("current", attempt="_c1")  # a killed reconcile attempt of the current run
    _make(earlier_attempt, age=RECENT)
    current = _run("current", attempt="_c2")
    _make(current, age=NOW)
    other_dataset = _run("crashed_other", dataset=1)
    _make(other_dataset, age=OLD)
    with psycopg.connect(_url()) as conn:
        conn.execute(  # a registered table that no longer exists
            "INSERT INTO staging.run_tables (schema_name, table_name, sector, dataset, run_id, kind, registered_at) "
            "VALUES ('sync_partitions', 'matches__janitor_lab__people__gone', 'janitor_lab', 'people', "
            "'manual__gone', 'matches', %s)",
            (OLD,),
        )
        conn.execute(f'CREATE TABLE staging."{LEGACY_STAGING}" (source_key text)')  # staged by an earlier version
    work = settings.work_dir
    yield Lab(
        published,
        crashed,
        running,
        current,
        earlier_attempt,
        other_dataset,
        scratch=_folder(work / "duckdb-killed", OLD),
        recent_scratch=_folder(work / "duckdb-live", RECENT),
        legacy_folder=_folder(work / "runs" / "janitor_lab__people__r0123456789", OLD),
    )
    _clear_lab(settings)


def test_grace_period_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POPSYNC_JANITOR_GRACE_HOURS", raising=False)
    assert grace_period() == timedelta(hours=6)
    monkeypatch.setenv("POPSYNC_JANITOR_GRACE_HOURS", "0.5")
    assert grace_period() == timedelta(minutes=30)
    monkeypatch.setenv("POPSYNC_JANITOR_GRACE_HOURS", "-1")
    with pytest.raises(ValueError, match="zero or more"):
        grace_period()


def test_the_sweep_when_a_dataset_run_starts(lab: Lab) -> None:
    result = sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW)
    # the crashed run's 3 tables and the current run's killed attempt's 3 (however recent);
    # the registered table that is gone is forgotten; the old scratch and run folders go
    assert result == JanitorResult(tables_dropped=6, registry_rows_pruned=7, work_dirs_removed=2)
    assert not any(_exists(t) for t in _results(lab.crashed) + _results(lab.earlier_attempt))
    assert not lab.scratch.exists() and not lab.legacy_folder.exists()
    # never: the published run, a run still going on, the running attempt, another dataset
    assert all(_exists(t) for t in _results(lab.published))
    assert all(_exists(t) for t in _results(lab.running))
    assert all(_exists(t) for t in _results(lab.current))
    assert all(_exists(t) for t in _results(lab.other_dataset))
    assert lab.recent_scratch.exists()
    assert _exists(("staging", LEGACY_STAGING))  # only the daily sweep touches other datasets' leftovers


def test_a_second_sweep_finds_nothing(lab: Lab) -> None:
    assert sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW).tables_dropped == 6
    assert sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW) == JanitorResult(0, 0, 0)


def test_the_daily_sweep_covers_every_dataset_but_keeps_what_is_recent(lab: Lab) -> None:
    sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW)  # the current run's own sweep came first
    result = sweep_all(grace=timedelta(hours=6), now=NOW)
    assert result.tables_dropped == 4  # the other dataset's crashed run (3), and the legacy staging table
    assert not any(_exists(t) for t in _results(lab.other_dataset))
    assert not _exists(("staging", LEGACY_STAGING))
    assert _exists(("staging", "run_tables"))
    assert all(_exists(t) for t in _results(lab.running) + _results(lab.current) + _results(lab.published))
    assert lab.recent_scratch.exists()


def test_state_folders_no_published_run_refers_to_go_after_the_grace_period(lab: Lab) -> None:
    kept = _folder(state_folder(lab.published), OLD)  # the published run's: the next run starts from it
    with psycopg.connect(_url()) as conn:
        conn.execute(
            "UPDATE sync.published_runs SET state_ref = %s WHERE sector = %s AND dataset = %s",
            (str(kept), SECTOR.sector, SECTOR.datasets[0].name),
        )
    killed = _folder(state_folder(lab.crashed), OLD)  # a run killed before it published
    recent = _folder(state_folder(lab.running), RECENT)
    own = _folder(state_folder(lab.current), OLD)  # the running attempt's, whatever its age
    other = _folder(state_folder(lab.other_dataset), OLD)
    result = sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW)
    assert result.work_dirs_removed == 3  # the scratch and run folders of before, and the killed run's state
    assert not killed.exists()
    assert kept.exists() and recent.exists() and own.exists() and other.exists()
    sweep_all(grace=timedelta(hours=6), now=NOW)
    assert not other.exists() and kept.exists() and recent.exists()


def test_with_no_grace_only_published_partitions_stay(lab: Lab) -> None:
    sweep_all(grace=timedelta(0), now=NOW + timedelta(seconds=1))
    assert not any(_exists(t) for t in _results(lab.running) + _results(lab.current))
    assert all(_exists(t) for t in _results(lab.published))
    assert not lab.recent_scratch.exists()
    with psycopg.connect(_url()) as conn:
        registered = conn.execute(
            "SELECT table_name FROM staging.run_tables WHERE sector = 'janitor_lab' ORDER BY 1"
        ).fetchall()
        served = conn.execute("SELECT count(*) FROM sync.matches WHERE sector = 'janitor_lab'").fetchone()
    assert [row[0] for row in registered] == sorted(table for _, table in _results(lab.published))
    assert served == (0,)  # still readable through the contract


def test_publish_retried_after_its_commit_is_a_no_op(lab: Lab) -> None:
    outcome = publish(lab.published, 0)
    assert (outcome.published, outcome.reason) == (True, "already published")


def test_runs_the_orchestrator_names_dead_go_within_the_grace_period(lab: Lab) -> None:
    asked: list[RunRef] = []

    def dead_runs(runs: Sequence[RunRef]) -> frozenset[RunRef]:
        asked.extend(runs)
        return frozenset(runs) | {RunRef("janitor_lab", "people", "manual__never_seen")}

    result = sweep_dataset(lab.current, grace=timedelta(hours=6), now=NOW, dead_runs=dead_runs)
    # asked only about the run within the grace period (older ones go anyway; never the
    # published run, the current run or another dataset); a name it was not asked about is ignored
    assert asked == [RunRef("janitor_lab", "people", lab.running.run_id)]
    assert result.tables_dropped == 9  # three result tables each: running, crashed, earlier attempt
    assert not any(_exists(t) for t in _results(lab.running) + _results(lab.crashed))
    assert all(_exists(t) for t in _results(lab.published) + _results(lab.current) + _results(lab.other_dataset))
