"""The data-quality gate inside the sector DAGs ("đúng, đủ, sạch, sống"), on real PostgreSQL.

Each test starts from the session's first runs (fixture) and restores the source it changes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from popsync.local.dag_runner import DagRunResult, run_dag
from popsync.pipeline import gate as gate_module
from popsync.pipeline.gate import QualityGateError
from popsync.pipeline.publish import drop_run_tables
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import quality_gate_stage, reconcile_stage, run_dataset
from popsync.quality.checks import Profile
from popsync.quality.gx_validation import ExpectationOutcome
from popsync.quality.store import RunScope
from popsync.sectors import load_sectors
from popsync.sectors.model import GxExpectation
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
    returned: list[ExpectationOutcome] = []
    original = gate_module.store_outcomes

    def capture(conn: Any, scope: RunScope, outcomes: list[ExpectationOutcome], profile: Profile, runs: Any) -> None:
        returned.extend(outcomes)
        original(conn, scope, outcomes, profile, runs)

    monkeypatch.setattr(gate_module, "store_outcomes", capture)
    sector = next(s for s in load_sectors() if s.sector == "social_insurance")
    run = DatasetRun(sector, sector.datasets[0], "manual__gate_store", logical_date)
    state = run_dataset(run)
    assert state.gate is not None and state.published is not None
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        stored = conn.execute(
            "SELECT check_name, success, observed_value, threshold, severity, expectation, details, "
            "expectation_type, data_asset, observed, gx_result "
            "FROM sync.quality_results WHERE run_id = 'manual__gate_store'"
        ).fetchall()
        validations = conn.execute(
            "SELECT data_asset, suite ->> 'name', result -> 'statistics' ->> 'evaluated_expectations', success "
            "FROM sync.quality_validations WHERE run_id = 'manual__gate_store'"
        ).fetchall()
    assert len(stored) == len(returned) >= 9
    by_name = {row[0]: row for row in stored}
    for outcome in returned:
        _, success, observed, threshold, severity, expectation, details, kind, asset, gx_observed, gx_result = by_name[
            outcome.expectation.check
        ]
        assert success == outcome.success == gx_result["success"]
        assert observed == pytest.approx(outcome.observed_number) == pytest.approx(gx_observed)
        assert gx_result["result"]["observed_value"] == pytest.approx(gx_observed)
        assert gx_result["expectation_config"]["meta"]["popsync"]["check"] == outcome.expectation.check
        assert (threshold, severity, expectation, kind, asset) == (
            outcome.expectation.threshold,
            outcome.expectation.severity,
            outcome.expectation.rule,
            outcome.expectation.type,
            "profile",
        )
        assert details["measure"] == outcome.expectation.measure
        assert Profile.from_json(details["profile"]) == state.need_reconciled().profile
    everything_passed = all(row[1] for row in stored)  # GX's suite result: every expectation met
    assert validations == [("profile", "social_insurance.participants", str(len(stored)), everything_passed)]
    # GX's own Data Docs, built after publishing (publish_metrics): the index and the run's page.
    assert (settings.data_docs_dir / "index.html").exists()
    pages = list((settings.data_docs_dir / "validations" / "social_insurance" / "participants").rglob("*.html"))
    assert any("manual__gate_store" in str(page) for page in pages), pages
    assert "Great Expectations" in (settings.data_docs_dir / "index.html").read_text(encoding="utf-8")


def test_custom_expectations_on_the_extract_are_validated_and_stored(
    first_runs: dict[str, DagRunResult], settings: Settings
) -> None:
    """The demo YAML's row-level expectations on real source columns of education.teachers."""
    run_id = first_runs["sync_education"].run_id
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        rows = conn.execute(
            "SELECT check_name, success, expectation_type, data_asset, observed, gx_result "
            "FROM sync.quality_results WHERE sector = 'education' AND dataset = 'teachers' AND run_id = %s "
            "AND data_asset = 'extract' ORDER BY check_name",
            (run_id,),
        ).fetchall()
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == {"teacher_code_format", "national_ids_mostly_unique"}
    _, success, kind, _, observed, gx_result = by_name["teacher_code_format"]
    assert kind == "expect_column_values_to_match_regex" and success
    assert gx_result["result"]["element_count"] > 0
    assert gx_result["result"]["unexpected_count"] == 0
    assert not gx_result["result"].get("partial_unexpected_list")  # no source values in the warehouse
    assert observed == pytest.approx(0.0)
    _, success, _, _, observed, _ = by_name["national_ids_mostly_unique"]
    assert success and 0.9 <= observed <= 1.0


@pytest.fixture(scope="module")
def teachers_reconciled(first_runs: dict[str, DagRunResult]) -> Iterator[tuple[DatasetRun, DatasetState]]:
    """One unpublished reconcile of education.teachers that the bad-suite tests validate."""
    sector = _education()
    run = DatasetRun(sector, sector.datasets[1], "manual__bad_suite", datetime.now(UTC)).with_new_attempt()
    state = reconcile_stage(run, DatasetState())
    yield run, state
    drop_run_tables(run, keep_results=False)


@pytest.mark.parametrize(
    ("expectation", "message"),
    [
        pytest.param(  # GX's own model refuses it (mostly is a share)
            GxExpectation(type="expect_column_values_to_not_be_null", kwargs={"column": "so_cccd", "mostly": 1.5},
                          name="ids_present"),
            "Great Expectations rejects the expectation ids_present",
            id="suite_gx_rejects",
        ),
        pytest.param(
            GxExpectation(type="expect_column_values_to_not_be_null", kwargs={"column": "so_cmnd"},
                          name="cmnd_present"),
            "cmnd_present",
            id="missing_column",
        ),
        pytest.param(  # PostgreSQL refuses the regular expression while GX validates
            GxExpectation(type="expect_column_values_to_match_regex", kwargs={"column": "ma_giao_vien", "regex": "(["},
                          name="code_pattern"),
            "code_pattern",
            id="gx_error_at_validation",
        ),
    ],
)  # fmt: skip
def test_bad_expectation_stops_the_run_naming_dataset_and_expectation(
    teachers_reconciled: tuple[DatasetRun, DatasetState], settings: Settings, expectation: GxExpectation, message: str
) -> None:
    run, state = teachers_reconciled
    before = _published(settings, "teachers")
    dataset = run.dataset.model_copy(update={"expectations": (*run.dataset.expectations, expectation)})
    bad_run = DatasetRun(run.sector, dataset, run.run_id, run.logical_date, run.attempt)
    with pytest.raises(QualityGateError) as error:
        quality_gate_stage(bad_run, state)
    text = str(error.value)
    assert "education.teachers" in text and message in text, text
    assert "previous results stay published" in text
    assert _published(settings, "teachers") == before
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        stored = conn.execute("SELECT count(*) FROM sync.quality_results WHERE run_id = %s", (run.run_id,)).fetchone()
    assert stored == (0,)  # nothing half-written
