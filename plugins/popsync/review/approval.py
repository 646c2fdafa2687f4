"""What an operator is asked before a run with ``review``-level quality breaches is published.

Pure text and decisions (no Airflow): the HITL operator in ``airflow/approval_operator.py`` uses them.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from popsync.settings import DEFAULT_APPROVAL_TIMEOUT_MINUTES, approval_timeout_minutes

DEFAULT_TIMEOUT_MINUTES = DEFAULT_APPROVAL_TIMEOUT_MINUTES


def approval_timeout() -> timedelta:
    """How long an operator has to answer (``POPSYNC_APPROVAL_TIMEOUT_MINUTES``, default 4 hours)."""
    return timedelta(minutes=approval_timeout_minutes())


def review_breaches(breaches: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The gate's breaches whose severity is ``review``."""
    return [breach for breach in breaches or [] if breach.get("severity") == "review"]


def duration(value: timedelta) -> str:
    """``24 h``, ``90 min``, ``12 s``."""
    seconds = value.total_seconds()
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _number(value: Any) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def approval_body(label: str, breaches: list[dict[str, Any]], metrics: dict[str, Any], timeout: timedelta) -> str:
    """Markdown shown to the operator: the breached checks and the run's metrics."""
    rows = "\n".join(
        f"| {b['check']} | {b.get('quality', '')} | {_number(b.get('observed'))} | {_number(b.get('threshold'))} "
        f"| {b.get('description', '')} |"
        for b in breaches
    )
    total, matched = int(metrics.get("total", 0)), int(metrics.get("matched", 0))
    rate = f"{matched / total:.2%}" if total else "n/a"
    return (
        f"The data-quality gate of **{label}** found review-level breaches. Publish this run?\n\n"
        "| check | quality | observed | threshold | meaning |\n|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Run metrics: {total} records, {matched} matched, {int(metrics.get('mismatched', 0))} mismatched, "
        f"sync rate {rate}.\n\n"
        f"**Approve** publishes these results. **Reject**, or no answer within {duration(timeout)}, keeps the "
        "previously published results and fails the run. Optionally give a comment."
    )


@dataclass(frozen=True)
class ApprovalAnswer:
    approved: bool
    responded_by: str | None
    responded_at: datetime | None
    comment: str | None
    timed_out: bool

    def refusal(self, label: str, timeout: timedelta) -> str:
        """The failure message of a rejected or timed-out approval."""
        if self.timed_out:
            return (
                f"{label}: no answer to the publish approval within {duration(timeout)}; the default (Reject) applied: "
                "nothing was published and the previous results stay published"
            )
        when = "" if self.responded_at is None else f" at {self.responded_at.isoformat(timespec='seconds')}"
        why = f": {self.comment!r}" if self.comment else " (no comment)"
        return (
            f"{label}: publishing rejected by {self.responded_by or 'an operator'}{when}{why}; "
            "the previous results stay published"
        )


def approval_answer(event: dict[str, Any], approve_option: str) -> ApprovalAnswer:
    """Read the HITL response event (``chosen_options``, ``params_input``, ``responded_by_user``...)."""
    chosen = list(event.get("chosen_options") or [])
    user = event.get("responded_by_user") or {}
    params = event.get("params_input") or {}
    comment = str(params.get("comment") or "").strip() or None
    responded_at = event.get("responded_at")
    return ApprovalAnswer(
        approved=chosen == [approve_option],
        responded_by=user.get("name") if isinstance(user, dict) else None,
        responded_at=responded_at if isinstance(responded_at, datetime) else None,
        comment=comment,
        timed_out=bool(event.get("timedout")) or not user,
    )
