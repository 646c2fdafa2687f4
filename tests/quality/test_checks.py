"""The gate's checks as data: names, aliases of old rule names, measures and bounds (no PostgreSQL).

The verdicts come from Great Expectations validating the suite on the one-row profile, as in the gate.
"""

from datetime import UTC, datetime, timedelta

import pytest

from popsync.pipeline.metrics import ProvinceCounts, RunMetrics
from popsync.pipeline.results import Breach, DatasetState, GateResult, PlanResult, PublishOutcome, ReconcileResult
from popsync.quality.checks import CHECK_TABLE, MEASURES, CheckContext, Profile, build_checks, measures
from popsync.quality.gx_validation import ExpectationOutcome, validate
from popsync.quality.suites import builtin_expectation
from popsync.sectors.model import QualityRules

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _profile(**changes: object) -> Profile:
    values: dict[str, object] = {
        "total": 1000,
        "ids_well_formed": 1000,
        "genders_mapped": 1000,
        "birth_dates_valid": 1000,
        "source_keys_present": 1000,
        "full_names_present": 1000,
        "keys_repeated": 0,
        "names_garbled": 0,
        "newest_updated_at": NOW - timedelta(days=1),
        "deceased_active": 0,
    }
    values.update(changes)
    return Profile(**values)  # type: ignore[arg-type]


def _ctx(previous_total: int | None = 1000) -> CheckContext:
    return CheckContext(
        now=NOW, previous_total=previous_total, has_updated_at=True, checks_deceased=True,
        previous_sync_rate=0.90, sync_rate=0.89,
    )  # fmt: skip


def _validate(rules: QualityRules, profile: Profile, ctx: CheckContext) -> dict[str, ExpectationOutcome]:
    """GX's verdict on each check that has something to measure, as the gate asks for it."""
    checks = build_checks(rules, ctx)
    row = measures(checks, profile, ctx)
    suite = [builtin_expectation(check) for check in checks if check.measure in row]
    outcomes, _ = validate("test.checks", suite, {"profile": row}, "test.checks")
    return {o.expectation.check: o for o in outcomes}


def _outcomes(profile: Profile, rules: QualityRules | None = None, ctx: CheckContext | None = None) -> dict[str, bool]:
    return {name: o.success for name, o in _validate(rules or QualityRules(), profile, ctx or _ctx()).items()}


def test_every_check_is_a_rule_of_the_same_name_with_a_known_measure() -> None:
    rule_names = set(QualityRules.model_fields)
    assert {spec.name for spec in CHECK_TABLE} == rule_names
    assert {spec.measure for spec in CHECK_TABLE} <= set(MEASURES)


def test_clean_profile_passes_every_check() -> None:
    outcomes = _outcomes(_profile())
    assert set(outcomes) == {spec.name for spec in CHECK_TABLE}
    assert all(outcomes.values())


@pytest.mark.parametrize(
    ("change", "breached"),
    [
        ({"ids_well_formed": 790}, "id_well_formed"),
        ({"genders_mapped": 940}, "gender_mapped"),
        ({"birth_dates_valid": 940}, "birth_date_valid"),
        ({"source_keys_present": 999}, "source_key_present"),
        ({"full_names_present": 999}, "full_name_present"),
        ({"keys_repeated": 2}, "source_key_unique"),
        ({"names_garbled": 51}, "names_clean"),
        ({"total": 790, "ids_well_formed": 790, "genders_mapped": 790, "birth_dates_valid": 790,
          "source_keys_present": 790, "full_names_present": 790}, "row_count_stable"),
        ({"newest_updated_at": NOW - timedelta(days=31)}, "extract_fresh"),
        ({"deceased_active": 21}, "deceased_not_active"),
    ],
)  # fmt: skip
def test_each_check_breaks_on_its_own_measure(change: dict[str, object], breached: str) -> None:
    outcomes = _outcomes(_profile(**change))
    assert [name for name, ok in outcomes.items() if not ok] == [breached]


def test_boundaries_are_inclusive() -> None:
    assert all(_outcomes(_profile(ids_well_formed=800, names_garbled=50, deceased_active=20)).values())


def test_old_rule_names_are_aliases() -> None:
    rules = QualityRules.model_validate(
        {
            "required_present": {"threshold": 0.9, "severity": "warn"},
            "garbled_names": {"threshold": 0.1},
            "row_count_drop": {"threshold": 0.5, "severity": "off"},
            "deceased_active": {"threshold": 0.01},
            "freshness_days": 7,
            "freshness_severity": "fail",
        }
    )
    assert rules.source_key_present == rules.full_name_present
    assert (rules.source_key_present.threshold, rules.source_key_present.severity) == (0.9, "warn")
    assert rules.names_clean.threshold == 0.1
    assert rules.row_count_stable.severity == "off"
    assert rules.deceased_not_active.threshold == 0.01
    assert (rules.extract_fresh.max_days, rules.extract_fresh.severity) == (7, "fail")
    names = {check.name for check in build_checks(rules, _ctx())}
    assert "row_count_stable" not in names and "names_clean" in names


def test_checks_that_cannot_apply_are_left_out() -> None:
    ctx = CheckContext(now=NOW, previous_total=None, has_updated_at=False, checks_deceased=False)
    names = {check.name for check in build_checks(QualityRules(), ctx)}
    assert not names & {"row_count_stable", "extract_fresh", "deceased_not_active"}


def test_empty_extract_breaks_row_count_but_no_share() -> None:
    outcomes = _outcomes(Profile(0, 0, 0, 0, 0, 0, 0, 0, None))
    assert [name for name, ok in outcomes.items() if not ok] == ["row_count_stable"]


def test_state_survives_its_xcom_round_trip() -> None:
    metrics = RunMetrics(10, 7, 3, {"DECEASED": 1}, [ProvinceCounts("001", 10, 7, 3)])
    state = DatasetState(
        reconciled=ReconcileResult("_ab12cd", 10, metrics, _profile(total=10), (("classify", 0.5),)),
        gate=GateResult((Breach("names_clean", "sạch", 0.06, 0.05),)),
        published=PublishOutcome(True, "published"),
    )
    assert DatasetState.from_json(state.to_json()) == state
    assert DatasetState.from_json(None) == DatasetState()
    # a split run's plan of a dataset that keeps state says whose row hashes its buckets hold
    # and which register version it pinned for every bucket
    planned = DatasetState(
        plan=PlanResult(
            "_ab12cd", 4, 10, _profile(total=10), "/work/runs/x", source_hashes=True, register_version='{"v": 1}'
        )
    )
    assert DatasetState.from_json(planned.to_json()) == planned
    older = planned.to_json()
    assert older["plan"].pop("source_hashes") is True  # a plan from before the field: no source hashes
    assert older["plan"].pop("register_version") == '{"v": 1}'  # nor a pinned register: buckets pin their own
    assert DatasetState.from_json(older).need_plan().source_hashes is False
    assert DatasetState.from_json(older).need_plan().register_version is None
    assert state.gate is not None and state.gate.status == "warned"
    assert GateResult().status == "passed"


def test_sync_rate_drop_is_a_review_check_in_points() -> None:
    rules = QualityRules()
    assert (rules.sync_rate_drop.threshold, rules.sync_rate_drop.severity) == (10.0, "review")
    for previous, current, passes in ((0.90, 0.80, True), (0.90, 0.7999, False), (0.50, 0.95, True)):
        ctx = CheckContext(now=NOW, previous_total=1000, has_updated_at=True, checks_deceased=True,
                           previous_sync_rate=previous, sync_rate=current)  # fmt: skip
        outcomes = _validate(rules, _profile(), ctx)
        assert outcomes["sync_rate_drop"].success is passes
        assert outcomes["sync_rate_drop"].observed == pytest.approx((previous - current) * 100)
    first = CheckContext(now=NOW, previous_total=None, has_updated_at=True, checks_deceased=True, sync_rate=0.5)
    assert "sync_rate_drop" not in {check.name for check in build_checks(rules, first)}
