"""Every sector DAG, executed through Airflow on generated data, against the ground truth."""

from datetime import datetime
from typing import Any

import psycopg
import pytest

from popsync.domain.id_suggestions import SuggestionMethod
from popsync.generate.evaluate import evaluate_dataset
from popsync.local.dag_runner import DagRunResult, run_dag
from popsync.pipeline import publish as publish_module
from popsync.quality.checks import CHECK_TABLE
from popsync.sectors import load_sectors
from popsync.settings import Settings

ALL_CODES = {
    "MISSING_ID", "INVALID_ID", "LEGACY_ID", "NOT_IN_REFERENCE", "DUPLICATE_ID", "NAME_MISMATCH",
    "NAME_DIACRITICS", "NAME_ENCODING", "DOB_MISMATCH", "DOB_PARTIAL", "DOB_INVALID", "GENDER_MISMATCH", "DECEASED",
    "DEATH_NOT_IN_REGISTER", "DEATH_DATE_MISMATCH", "UNREGISTERED_DEATH",
}  # fmt: skip


def _warehouse(settings: Settings) -> psycopg.Connection[Any]:
    return psycopg.connect(settings.database_url_for("popsync_warehouse"))


def _snapshot(settings: Settings, sector: str) -> list[tuple[Any, ...]]:
    with _warehouse(settings) as conn:
        return conn.execute(
            "SELECT dataset, source_key, national_id, linked_national_id, province_code, reasons, details::text, "
            "first_seen, run_id FROM sync.mismatches WHERE sector = %s "
            "UNION ALL SELECT dataset, source_key, national_id, national_id, province_code, NULL, NULL, NULL, run_id "
            "FROM sync.matches WHERE sector = %s ORDER BY 1, 2",
            (sector, sector),
        ).fetchall()


def _candidates(settings: Settings, sector: str) -> list[tuple[Any, ...]]:
    with _warehouse(settings) as conn:
        return conn.execute(
            "SELECT dataset, source_key, rank, candidate_national_id, method, confidence, suggested, evidence::text, "
            "run_id FROM sync.suggestion_candidates WHERE sector = %s ORDER BY 1, 2, 3",
            (sector,),
        ).fetchall()


def test_every_dag_run_succeeds(first_runs: dict[str, DagRunResult]) -> None:
    for dag_id, result in first_runs.items():
        assert result.succeeded, (dag_id, result.task_states)
        approvals = {task: state for task, state in result.task_states.items() if task.endswith(".approve_publish")}
        assert set(approvals.values()) <= {"skipped"}, dag_id  # no review-level breach: nobody asked
        assert {state for task, state in result.task_states.items() if task not in approvals} == {"success"}, dag_id


def test_results_equal_the_ground_truth_for_every_reason_code(first_runs: dict[str, DagRunResult]) -> None:
    seen: set[str] = set()
    for sector in load_sectors():
        for dataset in sector.datasets:
            evaluation = evaluate_dataset(sector, dataset.name)
            assert evaluation.truth_records > 0
            assert (evaluation.missing, evaluation.extra, evaluation.wrong_reasons) == (0, 0, 0), evaluation
            for score in evaluation.codes:
                assert (score.precision, score.recall) == (1.0, 1.0), (sector.sector, dataset.name, score)
            assert evaluation.sync_rate_computed == evaluation.sync_rate_true
            # the rate over records in force: published as the generator intended, NULL without is_active
            assert evaluation.active_rate_agrees, evaluation
            assert (evaluation.active_sync_rate_true is None) == (dataset.columns.is_active is None), evaluation
            seen |= {score.code for score in evaluation.codes if score.expected > 0}
    assert seen == ALL_CODES


def test_suggested_ids_meet_their_targets(first_runs: dict[str, DagRunResult]) -> None:
    """Per method, over all datasets: precision >= 0.99, recall >= 0.95 where exactly one person fits."""
    totals: dict[str, list[int]] = {}
    for sector in load_sectors():
        for dataset in sector.datasets:
            for score in evaluate_dataset(sector, dataset.name).suggestions:
                expected, found, right = totals.setdefault(score.code, [0, 0, 0])
                hits = round((score.precision or 0.0) * score.found)
                totals[score.code] = [expected + score.expected, found + score.found, right + hits]
    assert set(totals) == {str(method) for method in SuggestionMethod}, totals
    for method, (expected, found, right) in totals.items():
        assert found and right / found >= 0.99, (method, expected, found, right)
        assert expected and right / expected >= 0.95, (method, expected, found, right)


def test_candidate_lists_are_published_with_the_run(first_runs: dict[str, DagRunResult], settings: Settings) -> None:
    """Every record with a suggestion has its candidate list, from the same run; the single
    suggestion is the candidate marked suggested; at most five candidates per record."""
    with _warehouse(settings) as conn:
        records = conn.execute(
            "SELECT m.sector, m.dataset, m.source_key, m.run_id, m.suggested_national_id, "
            "(m.details->'suggestion'->>'candidates')::int, "
            "(SELECT count(*) FROM sync.suggestion_candidates c WHERE (c.sector, c.dataset, c.source_key, c.run_id) "
            "  = (m.sector, m.dataset, m.source_key, m.run_id)), "
            "(SELECT array_agg(c.candidate_national_id) FROM sync.suggestion_candidates c "
            "  WHERE (c.sector, c.dataset, c.source_key) = (m.sector, m.dataset, m.source_key) AND c.suggested) "
            "FROM sync.mismatches AS m WHERE m.details ? 'suggestion'"
        ).fetchall()
        strays = conn.execute(
            "SELECT count(*) FROM sync.suggestion_candidates AS c WHERE NOT EXISTS (SELECT 1 FROM sync.mismatches m "
            "WHERE (m.sector, m.dataset, m.source_key, m.run_id) = (c.sector, c.dataset, c.source_key, c.run_id))"
        ).fetchone()
        methods = conn.execute("SELECT DISTINCT method FROM sync.suggestion_candidates").fetchall()
    assert strays == (0,)
    assert records and {row[0] for row in records} == {sector.sector for sector in load_sectors()}
    assert {method for (method,) in methods} <= {str(method) for method in SuggestionMethod}
    listed_instead = 0
    for _sector, _dataset, _key, _run, suggested, counted, stored, marked in records:
        assert stored == min(counted, 5)
        assert marked == ([suggested] if suggested is not None else None)
        listed_instead += suggested is None
    assert listed_instead < len(records)


def test_every_extracted_record_is_matched_or_mismatched(
    first_runs: dict[str, DagRunResult], settings: Settings
) -> None:
    with _warehouse(settings) as conn:
        rows = conn.execute(
            "SELECT rates.sector, rates.dataset, rates.total, rates.matched, rates.mismatched, "
            "(SELECT count(*) FROM sync.matches m WHERE m.sector = rates.sector AND m.dataset = rates.dataset), "
            "(SELECT count(*) FROM sync.mismatches m WHERE m.sector = rates.sector AND m.dataset = rates.dataset) "
            "FROM sync.latest_sync_rate AS rates"
        ).fetchall()
    assert len(rows) == sum(len(sector.datasets) for sector in load_sectors())
    for sector, dataset, total, matched, mismatched, published_matches, published_mismatches in rows:
        assert total == matched + mismatched == published_matches + published_mismatches, (sector, dataset)
        with psycopg.connect(settings.database_url_for(f"popsync_src_{sector}")) as source:
            truth = source.execute(
                "SELECT count(*) FROM ground_truth.expected WHERE dataset = %s", (dataset,)
            ).fetchone()
        assert truth == (total,), (sector, dataset)


def test_metrics_history_provinces_and_asset_events(first_runs: dict[str, DagRunResult], settings: Settings) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with _warehouse(settings) as conn:
        for sector in load_sectors():
            run_id = first_runs[sector.dag_id].run_id
            for dataset in sector.datasets:
                scope = (sector.sector, dataset.name, run_id)
                total, matched, rate, reasons, active_rate = conn.execute(
                    "SELECT total, matched, sync_rate, reason_counts, active_sync_rate FROM sync.sector_sync_rate "
                    "WHERE sector = %s AND dataset = %s AND run_id = %s",
                    scope,
                ).fetchone() or (None, None, None, None, None)
                assert (active_rate is None) == (dataset.columns.is_active is None)
                assert rate == pytest.approx(matched / total)
                province_total = conn.execute(
                    "SELECT sum(total), sum(matched) FROM sync.province_sync_rate "
                    "WHERE sector = %s AND dataset = %s AND run_id = %s",
                    scope,
                ).fetchone()
                assert province_total == (total, matched)
                with create_session() as session:
                    event = session.scalars(
                        select(AssetEvent)
                        .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
                        .where(AssetModel.name == f"popsync.sync.{sector.sector}.{dataset.name}")
                        .where(AssetEvent.source_run_id == run_id)
                        .order_by(AssetEvent.timestamp.desc())
                    ).first()
                    assert event is not None
                    assert event.extra["total"] == total
                    assert event.extra["sync_rate"] == pytest.approx(rate)
                    assert event.extra["reason_counts"] == reasons
                    assert event.extra["published"] is True
                    published_active = event.extra["active_sync_rate"]
                    assert published_active == (None if active_rate is None else pytest.approx(active_rate))


def test_mismatch_rows_follow_the_contract(first_runs: dict[str, DagRunResult], settings: Settings) -> None:
    with _warehouse(settings) as conn:
        rows = conn.execute(
            "SELECT reasons, details, first_seen, logical_date FROM sync.mismatches WHERE sector = 'health_insurance'"
        ).fetchall()
    assert rows
    for reasons, details, first_seen, logical_date in rows:
        assert reasons == sorted(reasons) and len(set(reasons)) == len(reasons)
        assert isinstance(details, dict) and details
        assert first_seen <= logical_date


def test_rerun_replaces_results_without_duplicates(
    first_runs: dict[str, DagRunResult], settings: Settings, logical_date: datetime
) -> None:
    before = _snapshot(settings, "education")
    candidates_before = _candidates(settings, "education")
    rerun = run_dag("sync_education", logical_date)
    assert rerun.succeeded, rerun.task_states
    after = _snapshot(settings, "education")
    assert after == before
    assert _candidates(settings, "education") == candidates_before
    keys = [(row[0], row[1]) for row in after]
    assert len(keys) == len(set(keys))


def test_failed_run_after_reconcile_leaves_published_results(
    first_runs: dict[str, DagRunResult], settings: Settings, logical_date: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lose one reconciled record before publishing: conservation fails, nothing changes."""
    before = _snapshot(settings, "justice")
    candidates_before = _candidates(settings, "justice")
    original = publish_module.check_conservation

    def lose_a_record(conn: Any, run: Any, extracted: int) -> Any:
        schema, table = run.matches_table
        conn.execute(f'DELETE FROM "{schema}"."{table}" WHERE ctid IN (SELECT ctid FROM "{schema}"."{table}" LIMIT 1)')
        return original(conn, run, extracted)

    monkeypatch.setattr(publish_module, "check_conservation", lose_a_record)
    failed = run_dag("sync_justice", logical_date)
    assert not failed.succeeded
    assert failed.task_states["birth_registrations.publish"] == "failed"
    assert failed.task_states["birth_registrations.reconcile"] == "success"
    assert _snapshot(settings, "justice") == before
    assert _candidates(settings, "justice") == candidates_before  # published with the run or not at all


def test_quality_results_stored_for_every_dataset(first_runs: dict[str, DagRunResult], settings: Settings) -> None:
    with _warehouse(settings) as conn:
        rows = conn.execute(
            "SELECT sector, dataset, count(*), bool_and(success OR severity = 'warn') FROM sync.quality_results "
            "WHERE run_id = ANY(%s) GROUP BY sector, dataset",
            ([result.run_id for result in first_runs.values()],),
        ).fetchall()
    assert len(rows) == sum(len(sector.datasets) for sector in load_sectors())
    for sector, dataset, checks, no_failures in rows:
        assert checks >= 8, (sector, dataset)
        assert no_failures, (sector, dataset)
    # Each stored check is one of the check table's or one of the dataset's own GX expectations
    # (sector YAML), under its quality, with its rule and measure.
    built_in = {spec.name: spec.quality for spec in CHECK_TABLE}
    declared = {
        (sector.sector, dataset.name): {item.check_name: item.quality for item in dataset.expectations}
        for sector in load_sectors()
        for dataset in sector.datasets
    }
    with _warehouse(settings) as conn:
        stored = conn.execute(
            "SELECT sector, dataset, check_name, quality, expectation, observed_value FROM sync.quality_results "
            "WHERE run_id = ANY(%s)",
            ([result.run_id for result in first_runs.values()],),
        ).fetchall()
    always = {"id_well_formed", "source_key_present", "full_name_present", "source_key_unique", "names_clean"}
    for sector, dataset in {(row[0], row[1]) for row in stored}:
        names = {row[2] for row in stored if (row[0], row[1]) == (sector, dataset)}
        assert always <= names, (sector, dataset, always - names)
    assert any(declared.values()), "the demo sectors declare GX expectations of their own"
    for sector, dataset, name, quality, expectation, observed in stored:
        quality_of = {**built_in, **declared[(sector, dataset)]}
        assert quality_of.get(name) == quality, (sector, dataset, name, quality)
        assert expectation, (sector, dataset, name)
        assert name not in always or observed is not None, (sector, dataset, name)


def test_registered_deaths_the_register_lacks_are_fed_back_automatically(
    first_runs: dict[str, DagRunResult], settings: Settings
) -> None:
    with _warehouse(settings) as conn:
        alive = conn.execute(
            "SELECT source_key, linked_national_id FROM sync.mismatches WHERE sector = 'justice' "
            "AND dataset = 'death_registrations' AND 'DEATH_NOT_IN_REGISTER' = ANY(reasons) ORDER BY source_key"
        ).fetchall()
        fed = conn.execute(
            "SELECT source_key, national_id, verdict_id, register_values, sector_values FROM sync.register_feedback "
            "WHERE origin = 'death_registration' AND dataset = 'death_registrations' ORDER BY source_key"
        ).fetchall()
        audited = conn.execute(
            "SELECT sum((detail->>'rows')::int) FROM sync.audit_log WHERE action = 'register_feedback_automatic'"
        ).fetchone()
    assert alive and [(key, nid) for key, nid, *_ in fed] == alive
    for *_, verdict, register, sector in fed:
        assert verdict is None and register == {"death": "alive"} and sector["death"]
    assert audited == (len(fed),)
