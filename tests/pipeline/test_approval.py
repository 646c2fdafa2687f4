"""The approve_publish stage: what the operator sees, the failure message of a refused approval,
and the stage in one process (no Airflow, no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from popsync.pipeline.approval import approval_answer, approval_body, approval_timeout, review_breaches
from popsync.pipeline.metrics import RunMetrics
from popsync.pipeline.results import Breach, DatasetState, GateResult
from popsync.pipeline.sequence import STAGES

BREACHES = (
    Breach("names_clean", "sạch", 0.1, 0.05),
    Breach("sync_rate_drop", "đúng", 17.5, 10.0, severity="review",
           description="drop of the sync rate in points against the previous published run (91.00%), at most"),
)  # fmt: skip
METRICS = RunMetrics(total=200, matched=147, mismatched=53, reason_counts={"NAME_MISMATCH": 53})


def test_approval_is_a_declared_stage_between_the_gate_and_publish() -> None:
    names = [stage.name for stage in STAGES]
    approval = [stage for stage in STAGES if stage.kind == "approval"]
    assert [stage.name for stage in approval] == ["approve_publish"]
    assert names.index("quality_gate") < names.index("approve_publish") < names.index("publish")


def test_only_review_breaches_need_an_operator_and_they_survive_xcom_typed() -> None:
    state = DatasetState(gate=GateResult(BREACHES))
    assert review_breaches(state) == (BREACHES[1],)
    assert review_breaches(DatasetState()) == ()  # before the gate, nothing to approve
    again = DatasetState.from_json(state.to_json())  # the XCom round trip
    assert again == state
    assert isinstance(again.gate, GateResult) and isinstance(again.gate.breaches[1], Breach)
    assert review_breaches(again) == (BREACHES[1],)


def test_body_lists_review_breaches_and_metrics() -> None:
    review = review_breaches(DatasetState(gate=GateResult(BREACHES)))
    body = approval_body("health_insurance.cards", review, METRICS, timedelta(hours=24))
    assert "| sync_rate_drop | đúng | 17.5 | 10 |" in body
    assert "200 records, 147 matched, 53 mismatched, sync rate 73.50%" in body
    assert "no answer within 24 h" in body


def test_rejection_and_timeout_messages_carry_the_answer() -> None:
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    rejected = approval_answer(
        {"chosen_options": ["Reject"], "params_input": {"comment": " ask BHXH "}, "responded_at": at,
         "responded_by_user": {"id": "7", "name": "lan.nguyen"}, "timedout": False},
        "Approve",
    )  # fmt: skip
    assert not rejected.approved and not rejected.timed_out
    message = rejected.refusal("health_insurance.cards", timedelta(hours=1))
    assert message == (
        "health_insurance.cards: publishing rejected by lan.nguyen at 2026-12-01T09:30:00+00:00: 'ask BHXH'; "
        "the previous results stay published"
    )
    timed_out = approval_answer(
        {"chosen_options": ["Reject"], "params_input": {"comment": ""}, "responded_at": at,
         "responded_by_user": None, "timedout": True},
        "Approve",
    )  # fmt: skip
    assert timed_out.timed_out
    assert "no answer to the publish approval within 1 h" in timed_out.refusal("x.y", timedelta(hours=1))
    assert "within 12 s" in timed_out.refusal("x.y", timedelta(seconds=12))
    approved = approval_answer(
        {"chosen_options": ["Approve"], "responded_by_user": {"id": "1", "name": "a"}}, "Approve"
    )
    assert approved.approved


def test_timeout_setting_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPSYNC_APPROVAL_TIMEOUT_MINUTES", "90")
    assert approval_timeout() == timedelta(minutes=90)
    for bad in ("soon", "0", "-5"):
        monkeypatch.setenv("POPSYNC_APPROVAL_TIMEOUT_MINUTES", bad)
        with pytest.raises(ValueError, match="POPSYNC_APPROVAL_TIMEOUT_MINUTES"):
            approval_timeout()
