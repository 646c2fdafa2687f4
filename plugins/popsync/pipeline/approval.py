"""The ``approve_publish`` stage: an operator's approval before a run with ``review``-level
quality breaches is published.

Pure text and decisions on the typed results (no Airflow): in a DAG the stage is Airflow's
human-in-the-loop operator (``airflow/approval_operator.py``), which asks through these; in one
process (:func:`approval_stage`) nobody can be asked.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from popsync.pipeline.metrics import RunMetrics
from popsync.pipeline.results import Breach, DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.settings import DEFAULT_APPROVAL_TIMEOUT_MINUTES, approval_timeout_minutes

_log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_MINUTES = DEFAULT_APPROVAL_TIMEOUT_MINUTES


def approval_timeout() -> timedelta:
    """How long an operator has to answer (``POPSYNC_APPROVAL_TIMEOUT_MINUTES``, default 4 hours)."""
    return timedelta(minutes=approval_timeout_minutes())


def review_breaches(state: DatasetState) -> tuple[Breach, ...]:
    """The quality gate's breaches whose severity is ``review`` (none before the gate ran)."""
    return () if state.gate is None else state.gate.review_breaches


def approval_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """The stage in one process (benchmark, ``popsync run --in-process``): no operator to ask.

    Review-level breaches are logged and the run goes on to publish, as it always did outside
    Airflow; in a DAG the same stage is the HITL operator, which waits for an answer.
    """
    breaches = review_breaches(state)
    if breaches:
        checks = ", ".join(breach.check for breach in breaches)
        _log.warning("%s: review-level breaches (%s); no operator in one process: publishing", run.label, checks)
    return state


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


def approval_body(label: str, breaches: Sequence[Breach], metrics: RunMetrics, timeout: timedelta) -> str:
    """Markdown shown to the operator: the breached checks and the run's metrics."""
    rows = "\n".join(
        f"| {b.check} | {b.quality} | {_number(b.observed)} | {_number(b.threshold)} | {b.description} |"
        for b in breaches
    )
    rate = "n/a" if metrics.sync_rate is None else f"{metrics.sync_rate:.2%}"
    return (
        f"The data-quality gate of **{label}** found review-level breaches. Publish this run?\n\n"
        "| check | quality | observed | threshold | meaning |\n|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Run metrics: {metrics.total} records, {metrics.matched} matched, {metrics.mismatched} mismatched, "
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


def approval_answer(event: Mapping[str, Any], approve_option: str) -> ApprovalAnswer:
    """Read Airflow's HITL response event (``chosen_options``, ``params_input``, ``responded_by_user``...).

    The one dict read here is Airflow's own answer, at the edge; what leaves is typed.
    """
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
