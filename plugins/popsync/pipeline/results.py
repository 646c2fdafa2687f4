"""Typed results of the stages of one dataset run, and their one XCom form.

A stage is a function of a :class:`~popsync.pipeline.run.DatasetRun` and the
:class:`DatasetState` so far that returns the state with its own result added. Airflow hands
the state from task to task as ``to_dict()`` / ``from_dict()``: one round trip, here only.
"""

from dataclasses import dataclass, replace
from typing import Any, Literal

from popsync.pipeline.metrics import RunMetrics
from popsync.quality.checks import Profile
from popsync.review.lifecycle import LifecycleCounts

QualityStatus = Literal["passed", "warned"]


@dataclass(frozen=True)
class ReconcileResult:
    """What the reconcile stage found and wrote (unpublished result tables of ``attempt``)."""

    attempt: str
    extracted: int
    metrics: RunMetrics
    profile: Profile
    timings: tuple[tuple[str, float], ...] = ()
    """Seconds per step inside the stage (extract, normalise, classify, write)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt,
            "extracted": self.extracted,
            "metrics": self.metrics.to_dict(),
            "profile": self.profile.to_dict(),
            "timings": [list(item) for item in self.timings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ReconcileResult":
        return cls(
            attempt=str(data["attempt"]),
            extracted=int(data["extracted"]),
            metrics=RunMetrics.from_dict(data["metrics"]),
            profile=Profile.from_dict(data["profile"]),
            timings=tuple((str(name), float(seconds)) for name, seconds in data.get("timings", [])),
        )


@dataclass(frozen=True)
class Breach:
    """A warn- or review-level expectation that did not pass (fail-level breaches stop the run instead)."""

    check: str
    quality: str
    observed: float | None
    threshold: float | None
    """None for an expectation from the sector YAML (its arguments are in ``sync.quality_results``)."""
    severity: str = "warn"
    """``review`` breaches publish only after an operator approves (``airflow/approval.py``)."""
    description: str = ""


@dataclass(frozen=True)
class GateResult:
    breaches: tuple[Breach, ...] = ()
    gx_preloaded: bool | None = None
    """Great Expectations was already imported when the gate started (preloaded before the fork)."""
    gx_import_seconds: float = 0.0
    """What importing GX cost the gate's process (about 0 when preloaded)."""

    @property
    def status(self) -> QualityStatus:
        """The run's quality status: the one place it is computed."""
        return "warned" if self.breaches else "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "breaches": [b.__dict__ for b in self.breaches],
            "gx_preloaded": self.gx_preloaded,
            "gx_import_seconds": self.gx_import_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GateResult":
        return cls(
            tuple(Breach(**item) for item in data.get("breaches", [])),
            data.get("gx_preloaded"),
            float(data.get("gx_import_seconds", 0.0)),
        )


@dataclass(frozen=True)
class PublishOutcome:
    published: bool
    reason: str
    lifecycle: LifecycleCounts | None = None
    """What the run did to the mismatch lifecycle (None when not published)."""

    def to_dict(self) -> dict[str, Any]:
        lifecycle = None if self.lifecycle is None else self.lifecycle.to_dict()
        return {"published": self.published, "reason": self.reason, "lifecycle": lifecycle}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PublishOutcome":
        lifecycle = data.get("lifecycle")
        return cls(
            bool(data["published"]),
            str(data["reason"]),
            None if lifecycle is None else LifecycleCounts.from_dict(lifecycle),
        )


@dataclass(frozen=True)
class DatasetState:
    """The results of one dataset run so far, in stage order."""

    reconciled: ReconcileResult | None = None
    gate: GateResult | None = None
    published: PublishOutcome | None = None

    def with_result(self, result: ReconcileResult | GateResult | PublishOutcome) -> "DatasetState":
        if isinstance(result, ReconcileResult):
            return replace(self, reconciled=result)
        if isinstance(result, GateResult):
            return replace(self, gate=result)
        return replace(self, published=result)

    def need_reconciled(self) -> ReconcileResult:
        if self.reconciled is None:
            raise ValueError("the reconcile stage has not run")
        return self.reconciled

    def to_dict(self) -> dict[str, Any]:
        return {
            "reconciled": None if self.reconciled is None else self.reconciled.to_dict(),
            "gate": None if self.gate is None else self.gate.to_dict(),
            "published": None if self.published is None else self.published.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "DatasetState":
        data = data or {}
        return cls(
            reconciled=None if data.get("reconciled") is None else ReconcileResult.from_dict(data["reconciled"]),
            gate=None if data.get("gate") is None else GateResult.from_dict(data["gate"]),
            published=None if data.get("published") is None else PublishOutcome.from_dict(data["published"]),
        )
