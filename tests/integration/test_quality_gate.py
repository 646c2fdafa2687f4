"""The data-quality gate inside the sector DAGs ("đúng, đủ, sạch, sống"), on real PostgreSQL.

Each test starts from the session's first runs (fixture) and restores the source it changes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from popsync.airflow.runner import DagRunResult, run_dag
from popsync.pipeline import gate as gate_module
from popsync.pipeline.gate import QualityGateError
from popsync.pipeline.publish import drop_run_tables
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import quality_gate_stage, reconcile_stage, run_dataset
from popsync.quality.checks import CheckOutcome, Profile
from popsync.quality.store import RunScope
from popsync.sectors import load_sectors
from popsync.settings import Settings


def _education() -> Any:
    return next(sector for sector in load_sectors() if sector.sector == "education")


@contextmanager
def _changed_source(settings: Settings, table: str, change: str) -> Iterator[None]:
    """Apply ``change`` to a copy-backed source table and restore the table afterwards."""
    url = settings.database_url_for("popsync_src_education")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS public.backup; CREATE TABLE public.backup AS TABLE {table}")
        conn.execute(change)
    try:
        yield
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"TRUNCATE {table}; INSERT INTO {table} SELECT * FROM public.backup; DROP TABLE public.backup")


def _published(settings: Settings, dataset: str) -> tuple[Any, ...]:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute(
            "SELECT run_id, logical_date, matches_table, mismatches_table FROM sync.published_runs "
            "WHERE sector = 'education' AND dataset = %s",
            (dataset,),
        ).fetchone()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM sync.matches WHERE dataset = %s), "
            "(SELECT count(*) FROM sync.mismatches WHERE dataset = %s)",
            (dataset, dataset),
        ).fetchone()
    assert row is not None
    return (*row, *(counts or ()))


@pytest.fixture
def republish_education(first_runs: dict[str, DagRunResult], logical_date: datetime) -> Iterator[None]:
    """After a test that changed the education source: the clean results published again.

    A re-run of the same logical date replaces that run's published results and stored checks,
    so the tests reading the session's first run find them as the first run left them.
    """
    yield
    restored = run_dag("sync_education", logical_date)
    assert restored.succeeded, restored.task_states


def test_clean_extract_passes_every_expectation(first_runs: dict[str, DagRunResult], settings: Settings) -> None:
    run_id = first_runs["sync_education"].run_id
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        rows = conn.execute(
            "SELECT check_name, success FROM sync.quality_results WHERE sector = 'education' "
            "AND dataset = 'teachers' AND run_id = %s",
            (run_id,),
        ).fetchall()
    names = {name for name, _ in rows}
    assert {"id_well_formed", "gender_mapped", "birth_date_valid", "source_key_unique", "names_clean"} <= names
    assert {"row_count_stable", "extract_fresh", "deceased_not_active"} <= names or len(names) >= 8
    assert all(success for _, success in rows), rows


@pytest.mark.usefixtures("republish_education")
def test_truncated_extract_stops_publishing(
    first_runs: dict[str, DagRunResult], settings: Settings, logical_date: datetime
) -> None:
    before = _published(settings, "teachers")
    truncate = (
        "DELETE FROM giao_duc.giao_vien WHERE ctid IN "
        "(SELECT ctid FROM giao_duc.giao_vien TABLESAMPLE BERNOULLI (45) REPEATABLE (1))"
    )
    with _changed_source(settings, "giao_duc.giao_vien", truncate):
        result = run_dag("sync_education", logical_date)
        assert not result.succeeded
        assert result.task_states["teachers.quality_gate"] == "failed"
        assert result.task_states["teachers.publish"] == "upstream_failed"
        assert result.task_states["pupils.publish"] == "success"  # datasets are independent
        assert _published(settings, "teachers") == before

        sector = _education()
        run = DatasetRun(sector, sector.datasets[1], "manual__truncated", datetime.now(UTC)).with_new_attempt()
        state = reconcile_stage(run, DatasetState())
        with pytest.raises(QualityGateError) as error:
            quality_gate_stage(run, state)
        drop_run_tables(run, keep_results=False)
    message = str(error.value)
    assert "row_count_stable" in message
    assert "row_count_drop <= 0.2" in message
    assert "observed 0.4" in message or "observed 0.5" in message
    assert "threshold 0.2" in message


@pytest.mark.usefixtures("republish_education")
def test_warn_breach_publishes_with_a_mark(
    first_runs: dict[str, DagRunResult], settings: Settings, logical_date: datetime
) -> None:
    garble = (
        "UPDATE giao_duc.hoc_sinh SET ho_va_ten = ho_va_ten || chr(7) WHERE ctid IN "
        "(SELECT ctid FROM giao_duc.hoc_sinh TABLESAMPLE BERNOULLI (10) REPEATABLE (2))"
    )
    with _changed_source(settings, "giao_duc.hoc_sinh", garble):
        result = run_dag("sync_education", logical_date)
    assert result.succeeded, result.task_states
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        status, warnings = conn.execute(
            "SELECT quality_status, quality_warnings FROM sync.sector_sync_rate "
            "WHERE sector = 'education' AND dataset = 'pupils' AND run_id = %s",
            (result.run_id,),
        ).fetchone() or (None, None)
    assert status == "warned"
    assert [warning["check"] for warning in warnings] == ["names_clean"]
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        event = session.scalars(
            select(AssetEvent)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == "popsync.sync.education.pupils", AssetEvent.source_run_id == result.run_id)
            .order_by(AssetEvent.timestamp.desc())
        ).first()
    assert event is not None
    assert event.extra["quality_status"] == "warned"
    assert event.extra["quality_warnings"] == ["names_clean"]


def test_stored_results_match_what_the_gate_returned(
    first_runs: dict[str, DagRunResult], settings: Settings, logical_date: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    returned: list[CheckOutcome] = []
    original = gate_module.store_outcomes

    def capture(conn: Any, scope: RunScope, outcomes: list[CheckOutcome], profile: Profile) -> None:
        returned.extend(outcomes)
        original(conn, scope, outcomes, profile)

    monkeypatch.setattr(gate_module, "store_outcomes", capture)
    sector = next(s for s in load_sectors() if s.sector == "social_insurance")
    run = DatasetRun(sector, sector.datasets[0], "manual__gate_store", logical_date)
    state = run_dataset(run)
    assert state.gate is not None and state.published is not None
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        stored = conn.execute(
            "SELECT check_name, success, observed_value, threshold, severity, expectation, details "
            "FROM sync.quality_results WHERE run_id = 'manual__gate_store'"
        ).fetchall()
    assert len(stored) == len(returned) >= 9
    by_name = {row[0]: row for row in stored}
    for outcome in returned:
        _, success, observed, threshold, severity, expectation, details = by_name[outcome.check.name]
        assert success == outcome.success
        assert observed == pytest.approx(outcome.observed)
        assert (threshold, severity, expectation) == (
            outcome.check.threshold,
            outcome.check.severity,
            outcome.check.rule,
        )
        assert details["measure"] == outcome.check.measure
        assert Profile.from_dict(details["profile"]) == state.need_reconciled().profile
    assert (settings.data_docs_dir / "index.html").exists()
    pages = list((settings.data_docs_dir / "social_insurance" / "participants").glob("*.html"))
    assert pages
