"""Mismatch lifecycle and verdicts across four logical dates of the health-insurance DAG (real PostgreSQL, dag.test).

Scenario on ``health_insurance.cards`` (dates after the session's first runs):
- D1: the generated data as it is;
- D2: fix 5 name-only mismatches at the source, delete 4 mismatched cards, break 6 matched ones;
- D3: fix 2 of the broken ones back, break 3 more;
- D4: re-break the 5 fixed at D2.
The module-scoped ``scenario`` runs all four dates on fresh logical dates, records what the
read-only tests check (counts, lifecycle snapshots, verdicts, feedback rows), then restores the
source and publishes the generated data again: whatever order the tests run in, they find the
same state. The tests that change state (a re-run of the published date, a run failing inside
the publish transaction, a run for an older date, the feedback export, the verdict CLI) pick
their keys and dates from the live warehouse and leave it as they found it (or as any later
test may find it).
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from popsync.local.dag_runner import DagRunResult, run_dag
from popsync.settings import Settings

SECTOR, DATASET, DAG_ID = "health_insurance", "cards", "sync_health_insurance"
NAME_REASONS = ["NAME_DIACRITICS", "NAME_ENCODING", "NAME_MISMATCH"]
BROKEN_NAME = "ZZ KHÔNG KHỚP"
REBROKEN_NAME = "YY SAI TÊN"


@dataclass
class Scenario:
    dates: list[datetime]
    initial_open: int = 0
    fixed: list[str] = field(default_factory=list)
    fixed_reasons: dict[str, list[str]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    broken_later: list[str] = field(default_factory=list)
    runs: dict[str, DagRunResult] = field(default_factory=dict)
    counts: dict[str, tuple[int | None, ...]] = field(default_factory=dict)
    snapshots: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    verdict_log: dict[str, Any] = field(default_factory=dict)
    republished: DagRunResult | None = None


def _warehouse(settings: Settings) -> psycopg.Connection[Any]:
    return psycopg.connect(settings.database_url_for("popsync_warehouse"))


def _source(settings: Settings) -> psycopg.Connection[Any]:
    return psycopg.connect(settings.database_url_for("popsync_src_health_insurance"), autocommit=True)


def lifecycle_rows(settings: Settings) -> list[tuple[Any, ...]]:
    with _warehouse(settings) as conn:
        return conn.execute(
            "SELECT * FROM sync.mismatch_lifecycle_seen WHERE sector = %s AND dataset = %s ORDER BY source_key",
            (SECTOR, DATASET),
        ).fetchall()


def _counts(settings: Settings, run_id: str) -> tuple[int | None, ...]:
    with _warehouse(settings) as conn:
        row = conn.execute(
            "SELECT new_mismatches, resolved_mismatches, reopened_mismatches, open_mismatches "
            "FROM sync.sector_sync_rate WHERE sector = %s AND dataset = %s AND run_id = %s",
            (SECTOR, DATASET, run_id),
        ).fetchone()
    assert row is not None
    return tuple(row)


def _keys(settings: Settings, query: str, limit: int, exclude: list[str]) -> list[str]:
    with _warehouse(settings) as conn:
        rows = conn.execute(
            query + " AND NOT (source_key = ANY(%s)) ORDER BY source_key LIMIT %s", (exclude, limit)
        ).fetchall()
    assert len(rows) == limit
    return [str(row[0]).strip() for row in rows]


def _set_names(settings: Settings, names: dict[str, str]) -> None:
    with _source(settings) as conn, conn.cursor() as cur:
        cur.executemany("UPDATE bhyt.the_bhyt SET ho_ten = %s WHERE ma_the = %s", [(v, k) for k, v in names.items()])


def _register_names(settings: Settings, keys: list[str]) -> dict[str, str]:
    with _warehouse(settings) as conn:
        rows = conn.execute(
            "SELECT m.source_key, upper(p.full_name) FROM sync.mismatches m "
            "JOIN reference.persons p ON p.national_id = m.linked_national_id "
            "WHERE m.sector = %s AND m.dataset = %s AND m.source_key = ANY(%s)",
            (SECTOR, DATASET, keys),
        ).fetchall()
    return {str(key).strip(): name for key, name in rows}


def _run(scenario: Scenario, settings: Settings, label: str, date: datetime) -> DagRunResult:
    result = run_dag(DAG_ID, date)
    scenario.runs[label] = result
    if result.succeeded:
        scenario.counts[label] = _counts(settings, result.run_id)
    scenario.snapshots[label] = lifecycle_rows(settings)
    return result


@pytest.fixture(scope="module")
def scenario(first_runs: dict[str, DagRunResult], settings: Settings, fresh_date: Callable[[], datetime]) -> Scenario:
    """The four dates on fresh logical dates; what the tests read is recorded; ends with clean data published."""
    from popsync.review.verdicts import record_verdict, verdict_history

    with _source(settings) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS public.review_backup; CREATE TABLE public.review_backup AS TABLE bhyt.the_bhyt"
        )
    with _warehouse(settings) as conn:  # the lifecycle of the session's first run is not part of the scenario
        conn.execute("DELETE FROM sync.register_feedback WHERE sector = %s", (SECTOR,))
        conn.execute("DELETE FROM sync.mismatch_verdicts WHERE sector = %s", (SECTOR,))
        conn.execute("DELETE FROM sync.mismatch_lifecycle WHERE sector = %s", (SECTOR,))
        conn.execute("DELETE FROM sync.lifecycle_runs WHERE sector = %s", (SECTOR,))
    days = [fresh_date() for _ in range(4)]
    s = Scenario(dates=days)
    try:
        assert _run(s, settings, "D1", days[0]).succeeded
        s.initial_open = int(s.counts["D1"][3] or 0)
        mismatched = f"SELECT source_key FROM sync.mismatches WHERE sector = '{SECTOR}' AND dataset = '{DATASET}'"
        matched = f"SELECT source_key FROM sync.matches WHERE sector = '{SECTOR}' AND dataset = '{DATASET}'"
        name_only = mismatched + " AND reasons <@ %s::text[] AND national_id = linked_national_id"
        s.fixed = _keys(settings, name_only.replace("%s::text[]", "'{" + ",".join(NAME_REASONS) + "}'::text[]"), 5, [])
        # removed records must not share an ID with another (that one would resolve too)
        s.removed = _keys(settings, mismatched + " AND NOT 'DUPLICATE_ID' = ANY(reasons)", 4, s.fixed)
        s.broken = _keys(settings, matched, 6, [])
        s.broken_later = _keys(settings, matched, 3, s.broken)
        with _warehouse(settings) as conn:
            s.fixed_reasons = {
                str(key).strip(): reasons
                for key, reasons in conn.execute(
                    "SELECT source_key, reasons FROM sync.mismatches WHERE sector = %s AND source_key = ANY(%s)",
                    (SECTOR, s.fixed),
                ).fetchall()
            }
            # Verdicts after D1: replace one (history kept); refer one to the register.
            with_values = mismatched + " AND reasons && '{NAME_MISMATCH,DOB_MISMATCH,GENDER_MISMATCH}'::text[]"
            first, keeper = s.fixed[0], _keys(settings, with_values, 1, s.fixed + s.removed)[0]
            s.verdict_log["first"], s.verdict_log["keeper"] = first, keeper
            record_verdict(conn, sector=SECTOR, dataset=DATASET, source_key=first, verdict="acknowledged",
                           actor="alice", comment=None)  # fmt: skip
            record_verdict(conn, sector=SECTOR, dataset=DATASET, source_key=first, verdict="fixing_at_source",
                           actor="bob", comment="ticket 42")  # fmt: skip
            record_verdict(conn, sector=SECTOR, dataset=DATASET, source_key=keeper, verdict="register_wrong",
                           actor="carol", comment="birth certificate shows another date")  # fmt: skip
            conn.commit()
        originals = {key: name for key, name in _original_names(settings, s.broken).items()}
        # D2: fix 5, delete 4, break 6.
        _set_names(settings, _register_names(settings, s.fixed))
        with _source(settings) as conn:
            conn.execute("DELETE FROM bhyt.the_bhyt WHERE ma_the = ANY(%s)", (s.removed,))
        _set_names(settings, dict.fromkeys(s.broken, BROKEN_NAME))
        assert _run(s, settings, "D2", days[1]).succeeded
        with _warehouse(settings) as conn:
            s.verdict_log["after_D2"] = conn.execute(
                "SELECT status, resolution, verdict, verdict_closed_at, verdict_flagged FROM sync.mismatch_lifecycle "
                "WHERE sector = %s AND source_key = %s",
                (SECTOR, first),
            ).fetchone()
        # D3: fix 2 of the broken back, break 3 more.
        _set_names(settings, {key: originals[key] for key in s.broken[:2]})
        _set_names(settings, dict.fromkeys(s.broken_later, BROKEN_NAME))
        assert _run(s, settings, "D3", days[2]).succeeded
        # D4: re-break the 5 fixed at D2.
        _set_names(settings, dict.fromkeys(s.fixed, REBROKEN_NAME))
        assert _run(s, settings, "D4", days[3]).succeeded
        with _warehouse(settings) as conn:
            s.verdict_log["history"] = [
                (v.verdict, v.actor, v.comment, v.recorded_at)
                for v in verdict_history(conn, sector=SECTOR, dataset=DATASET, source_key=first)
            ]
            s.verdict_log["audited"] = conn.execute(
                "SELECT actor, detail->>'verdict' FROM sync.audit_log WHERE action = 'verdict.set' "
                "AND detail->>'source_key' = %s ORDER BY event_id",
                (first,),
            ).fetchall()
            s.verdict_log["feedback"] = conn.execute(
                "SELECT f.status, f.comment, f.actor, f.national_id = m.linked_national_id, f.reasons = m.reasons, "
                "f.register_values, f.sector_values FROM sync.register_feedback f "
                "JOIN sync.mismatches m USING (sector, dataset, source_key) WHERE f.source_key = %s",
                (keeper,),
            ).fetchall()
    finally:
        with _source(settings) as conn:
            conn.execute(
                "TRUNCATE bhyt.the_bhyt; INSERT INTO bhyt.the_bhyt SELECT * FROM public.review_backup; "
                "DROP TABLE public.review_backup"
            )
        # the generated data's results published again: the state every test (and other modules) starts from
        s.republished = run_dag(DAG_ID, fresh_date())
    assert s.republished.succeeded, s.republished.task_states
    return s


def _original_names(settings: Settings, keys: list[str]) -> dict[str, str]:
    with _source(settings) as conn:
        rows = conn.execute("SELECT ma_the, ho_ten FROM bhyt.the_bhyt WHERE ma_the = ANY(%s)", (keys,)).fetchall()
    return {str(key).strip(): name for key, name in rows}


def _by_key(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, Any]]:
    names = [
        "sector", "dataset", "source_key", "status", "first_seen", "last_seen", "resolved_at", "resolution",
        "reopened_count", "reopened_at", "current_reasons", "previous_reasons", "verdict", "verdict_by", "verdict_at",
        "verdict_comment", "verdict_closed_at", "verdict_flagged",
    ]  # fmt: skip
    return {row[2]: dict(zip(names, row, strict=False)) for row in rows}


def test_per_run_counts_follow_the_scenario(scenario: Scenario) -> None:
    m0 = scenario.initial_open
    assert m0 > 20
    assert scenario.counts == {
        "D1": (m0, 0, 0, m0),
        "D2": (6, 9, 0, m0 - 9 + 6),
        "D3": (3, 2, 0, m0 - 9 + 6 - 2 + 3),
        "D4": (0, 0, 5, m0 - 9 + 6 - 2 + 3 + 5),
    }


def test_lifecycle_rows_carry_the_scenario_dates(scenario: Scenario) -> None:
    d1, d2, d3, d4 = scenario.dates
    rows = _by_key(scenario.snapshots["D4"])
    assert sum(row["status"] == "open" for row in rows.values()) == scenario.counts["D4"][3]
    for key in scenario.fixed:
        row = rows[key]
        assert (row["status"], row["first_seen"], row["last_seen"], row["resolved_at"]) == ("open", d1, d4, None)
        assert (row["reopened_count"], row["reopened_at"], row["resolution"]) == (1, d4, None)
        assert row["current_reasons"] == ["NAME_MISMATCH"]
        old = scenario.fixed_reasons[key]
        assert row["previous_reasons"] == (old if old != ["NAME_MISMATCH"] else None)
    d2_rows = _by_key(scenario.snapshots["D2"])
    for key in scenario.fixed:
        assert (d2_rows[key]["status"], d2_rows[key]["resolution"], d2_rows[key]["resolved_at"]) == (
            "resolved", "fixed", d2,
        )  # fmt: skip
    for key in scenario.removed:
        assert (rows[key]["status"], rows[key]["resolution"], rows[key]["resolved_at"]) == ("resolved", "removed", d2)
        assert (rows[key]["first_seen"], rows[key]["last_seen"]) == (d1, d1)
    for key in scenario.broken[:2]:
        row = rows[key]
        assert (row["status"], row["resolution"], row["first_seen"], row["last_seen"], row["resolved_at"]) == (
            "resolved", "fixed", d2, d2, d3,
        )  # fmt: skip
    for key in scenario.broken[2:]:
        assert (rows[key]["status"], rows[key]["first_seen"], rows[key]["last_seen"]) == ("open", d2, d4)
    for key in scenario.broken_later:
        assert (rows[key]["status"], rows[key]["first_seen"], rows[key]["reopened_count"]) == ("open", d3, 0)


def test_counts_reach_the_asset_events(scenario: Scenario) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    for label in ("D1", "D2", "D3", "D4"):
        with create_session() as session:
            event = session.scalars(
                select(AssetEvent)
                .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
                .where(AssetModel.name == f"popsync.sync.{SECTOR}.{DATASET}")
                .where(AssetEvent.source_run_id == scenario.runs[label].run_id)
            ).one()
            extra = event.extra
        counts = tuple(extra[f"{k}_mismatches"] for k in ("new", "resolved", "reopened", "open"))
        assert counts == scenario.counts[label], label


def test_verdicts_replace_keep_history_close_on_resolve_and_flag_on_reopen(scenario: Scenario) -> None:
    first, keeper = scenario.verdict_log["first"], scenario.verdict_log["keeper"]
    assert scenario.verdict_log["after_D2"] == ("resolved", "fixed", "fixing_at_source", scenario.dates[1], False)
    rows = _by_key(scenario.snapshots["D4"])
    assert (rows[first]["verdict"], rows[first]["verdict_by"], rows[first]["verdict_comment"]) == (
        "fixing_at_source", "bob", "ticket 42",
    )  # fmt: skip
    assert (rows[first]["verdict_flagged"], rows[first]["verdict_closed_at"]) == (True, None)
    assert (rows[keeper]["verdict"], rows[keeper]["verdict_flagged"], rows[keeper]["status"]) == (
        "register_wrong", False, "open",
    )  # fmt: skip
    history = scenario.verdict_log["history"]
    assert [entry[:3] for entry in history] == [
        ("acknowledged", "alice", None), ("fixing_at_source", "bob", "ticket 42"),
    ]  # fmt: skip
    assert history[0][3] < history[1][3]
    assert scenario.verdict_log["audited"] == [("alice", "acknowledged"), ("bob", "fixing_at_source")]


def test_register_wrong_reaches_the_feedback_table(scenario: Scenario) -> None:
    rows = scenario.verdict_log["feedback"]
    assert len(rows) == 1
    status, comment, actor, same_id, same_reasons, register_values, sector_values = rows[0]
    assert (status, comment, actor, same_id, same_reasons) == (
        "pending", "birth certificate shows another date", "carol", True, True,
    )  # fmt: skip
    assert register_values and sector_values


# --- tests that change state: keys and dates from the live warehouse, never from another test ---------------


def _published(settings: Settings) -> tuple[str, datetime]:
    with _warehouse(settings) as conn:
        row = conn.execute(
            "SELECT run_id, logical_date FROM sync.published_runs WHERE sector = %s AND dataset = %s",
            (SECTOR, DATASET),
        ).fetchone()
    assert row is not None
    return str(row[0]), row[1]


def _live_key(settings: Settings, status: str) -> str:
    """A published mismatch (or, for ``resolved``, a former one) whose lifecycle row has ``status`` and no verdict."""
    with _warehouse(settings) as conn:
        row = conn.execute(
            "SELECT l.source_key FROM sync.mismatch_lifecycle AS l WHERE l.sector = %s AND l.dataset = %s "
            "AND l.status = %s AND l.verdict IS NULL AND (l.status = 'resolved' OR EXISTS (SELECT 1 FROM "
            "sync.mismatches AS m WHERE (m.sector, m.dataset, m.source_key) = (l.sector, l.dataset, l.source_key))) "
            "ORDER BY l.source_key LIMIT 1",
            (SECTOR, DATASET, status),
        ).fetchone()
    assert row is not None, f"no {status} mismatch without a verdict"
    return str(row[0]).strip()


def test_invalid_verdicts_are_refused_with_a_clear_message(scenario: Scenario, settings: Settings) -> None:
    from popsync.review.verdicts import VerdictError, record_verdict

    open_key, resolved_key = _live_key(settings, "open"), _live_key(settings, "resolved")
    cases = [
        (open_key, "maybe", None, "unknown verdict 'maybe'"),
        (open_key, "not_fixable", "  ", "needs a reason"),
        (resolved_key, "acknowledged", None, "no open mismatch"),
        ("NO-SUCH-KEY", "acknowledged", None, "no open mismatch"),
    ]
    with _warehouse(settings) as conn:
        for key, verdict, comment, message in cases:
            with pytest.raises(VerdictError, match=message):
                record_verdict(conn, sector=SECTOR, dataset=DATASET, source_key=key, verdict=verdict,
                               actor="dave", comment=comment)  # fmt: skip
            conn.rollback()
        count = conn.execute("SELECT count(*) FROM sync.mismatch_verdicts WHERE actor = 'dave'").fetchone()
    assert count == (0,)


def test_rerun_of_the_published_date_changes_nothing(scenario: Scenario, settings: Settings) -> None:
    run_id, date = _published(settings)
    before = lifecycle_rows(settings)
    rerun = run_dag(DAG_ID, date)
    assert rerun.succeeded, rerun.task_states
    assert lifecycle_rows(settings) == before
    assert _counts(settings, rerun.run_id) == _counts(settings, run_id)
    assert _published(settings) == (rerun.run_id, date)


def test_failed_publish_changes_nothing(
    scenario: Scenario, settings: Settings, fresh_date: Callable[[], datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    from popsync.pipeline import publish as publish_module
    from popsync.pipeline.errors import DataRejectedError

    before, published = lifecycle_rows(settings), _published(settings)
    original = publish_module.apply_run  # type: ignore[attr-defined]

    def apply_then_fail(conn: Any, run: Any) -> Any:
        original(conn, run)  # the lifecycle moves, then the publish transaction fails (no retries)
        raise DataRejectedError("simulated failure after the lifecycle update")

    monkeypatch.setattr(publish_module, "apply_run", apply_then_fail)
    failed = run_dag(DAG_ID, fresh_date())
    assert not failed.succeeded
    assert failed.task_states["cards.publish"] == "failed"
    assert lifecycle_rows(settings) == before
    assert _published(settings) == published


def test_older_date_does_not_rewind(scenario: Scenario, settings: Settings) -> None:
    published = _published(settings)
    before = lifecycle_rows(settings)
    older = run_dag(DAG_ID, published[1] - timedelta(hours=12))
    assert older.task_states["cards.publish"] == "success"
    assert lifecycle_rows(settings) == before
    assert _counts(settings, older.run_id) == (None, None, None, None)
    assert _published(settings) == published


def test_register_feedback_dag_exports_a_file_and_an_asset(
    scenario: Scenario, settings: Settings, fresh_date: Callable[[], datetime]
) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from popsync.review.verdicts import record_verdict

    key = _live_key(settings, "open")
    with _warehouse(settings) as conn:
        record_verdict(conn, sector=SECTOR, dataset=DATASET, source_key=key, verdict="register_wrong",
                       actor="frank", comment="register shows another gender")  # fmt: skip
        conn.commit()
        pending = dict(
            conn.execute(
                "SELECT sector, count(*) FROM sync.register_feedback WHERE status = 'pending' GROUP BY sector"
            ).fetchall()
        )
    date = fresh_date()
    export = run_dag("register_feedback", date)
    assert export.succeeded, export.task_states
    with create_session() as session:
        event = session.scalars(
            select(AssetEvent)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == "popsync.review.register_feedback", AssetEvent.source_run_id == export.run_id)
        ).one()
        extra = dict(event.extra)
    assert (extra["rows"], extra["by_sector"]) == (sum(pending.values()), pending)
    path = Path(extra["file"])
    assert path.parent == settings.home / "exports" / "register_feedback"
    assert path.stat().st_mode & 0o077 == 0  # personal data: owner only
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(pending.values())
    mine = [row for row in rows if (row["sector"], row["dataset"], row["source_key"]) == (SECTOR, DATASET, key)]
    assert [(row["actor"], row["comment"]) for row in mine] == [("frank", "register shows another gender")]
    assert mine[0]["national_id"]
    with _warehouse(settings) as conn:
        status = conn.execute(
            "SELECT status, export_file FROM sync.register_feedback WHERE sector = %s AND source_key = %s "
            "AND actor = 'frank' ORDER BY feedback_id DESC LIMIT 1",
            (SECTOR, key),
        ).fetchone()
        left = conn.execute("SELECT count(*) FROM sync.register_feedback WHERE status = 'pending'").fetchone()
    assert (status, left) == (("exported", str(path)), (0,))
    again = run_dag("register_feedback", date + timedelta(hours=1))
    assert again.succeeded  # nothing pending: no file, an event with rows = 0


def test_verdict_cli(scenario: Scenario, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from popsync.cli import main

    key = _live_key(settings, "open")
    assert main(["verdict", "set", SECTOR, DATASET, key, "not_fixable"]) == 2
    assert "a not_fixable verdict needs a reason" in capsys.readouterr().err
    assert main(["verdict", "set", SECTOR, DATASET, key, "not_fixable", "--comment", "card destroyed",
                 "--actor", "erin"]) == 0  # fmt: skip
    assert "verdict not_fixable recorded by erin" in capsys.readouterr().out
    assert main(["verdict", "show", SECTOR, DATASET, key]) == 0
    shown = capsys.readouterr().out
    assert "status:   open" in shown and "not_fixable by erin" in shown and "card destroyed" in shown
    assert main(["verdict", "history", SECTOR, DATASET, key]) == 0
    assert "not_fixable" in capsys.readouterr().out
