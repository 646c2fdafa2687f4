"""Typed results of the stages of one dataset run, and their one XCom form.

A stage is a function of a :class:`~popsync.pipeline.run.DatasetRun` and the
:class:`DatasetState` so far that returns the state with its own result added. Airflow hands
the state from task to task as ``to_json()`` / ``from_json()``: one round trip, here only.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from popsync.pipeline.baseline import Baseline
from popsync.pipeline.metrics import RunMetrics
from popsync.quality.checks import Profile
from popsync.review.lifecycle import LifecycleCounts

QualityStatus = Literal["passed", "warned"]


@dataclass(frozen=True)
class PlanResult:
    """How the run is split (``pipeline/plan.py``); with several buckets, what the split read."""

    attempt: str
    buckets: int
    extracted: int | None = None
    """Records read from the source, when the plan read them (several buckets); else None."""
    profile: Profile | None = None
    """The gate's profile of every record, when the plan read them."""
    folder: str | None = None
    """The run's work folder holding each bucket's records, when split."""
    timings: tuple[tuple[str, float], ...] = ()
    peak_memory_mb: float | None = None
    """Peak resident memory (VmHWM) of the process that planned."""
    baseline: Baseline | None = None
    """Set for an incremental run: the published run it starts from (``pipeline/incremental.py``)."""
    source_hashes: bool = False
    """A split run of a dataset that keeps state: the source database hashed the rows the plan read."""
    register_version: str | None = None
    """A split run: the register version the plan pinned in its folder for every bucket
    (``pipeline/register_source.py``); None for a plan made before plans pinned it."""

    @property
    def incremental(self) -> bool:
        return self.baseline is not None

    @property
    def split(self) -> bool:
        return self.buckets > 1

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt,
            "buckets": self.buckets,
            "extracted": self.extracted,
            "profile": None if self.profile is None else self.profile.to_json(),
            "folder": self.folder,
            "timings": [list(item) for item in self.timings],
            "peak_memory_mb": self.peak_memory_mb,
            "baseline": None
            if self.baseline is None
            else {
                "folder": self.baseline.folder,
                "run_id": self.baseline.run_id,
                "last_full_date": self.baseline.last_full_date.isoformat(),
            },
            "source_hashes": self.source_hashes,
            "register_version": self.register_version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PlanResult":
        extracted, profile, peak = data.get("extracted"), data.get("profile"), data.get("peak_memory_mb")
        baseline = data.get("baseline")
        return cls(
            attempt=str(data["attempt"]),
            buckets=int(data["buckets"]),
            extracted=None if extracted is None else int(extracted),
            profile=None if profile is None else Profile.from_json(profile),
            folder=None if data.get("folder") is None else str(data["folder"]),
            timings=tuple((str(name), float(seconds)) for name, seconds in data.get("timings", [])),
            peak_memory_mb=None if peak is None else float(peak),
            baseline=None
            if baseline is None
            else Baseline(
                str(baseline["folder"]), str(baseline["run_id"]), datetime.fromisoformat(baseline["last_full_date"])
            ),
            source_hashes=bool(data.get("source_hashes", False)),
            register_version=None if data.get("register_version") is None else str(data["register_version"]),
        )


@dataclass(frozen=True)
class BucketResult:
    """What the reconcile stage found and wrote for one bucket of the run."""

    bucket: int
    extracted: int
    metrics: RunMetrics
    profile: Profile | None = None
    """The gate's profile, when this bucket read the source itself (an unsplit run)."""
    timings: tuple[tuple[str, float], ...] = ()
    peak_memory_mb: float | None = None
    """Peak resident memory (VmHWM) of the process that reconciled the bucket."""

    def to_json(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "extracted": self.extracted,
            "metrics": self.metrics.to_json(),
            "profile": None if self.profile is None else self.profile.to_json(),
            "timings": [list(item) for item in self.timings],
            "peak_memory_mb": self.peak_memory_mb,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BucketResult":
        profile, peak = data.get("profile"), data.get("peak_memory_mb")
        return cls(
            bucket=int(data["bucket"]),
            extracted=int(data["extracted"]),
            metrics=RunMetrics.from_json(data["metrics"]),
            profile=None if profile is None else Profile.from_json(profile),
            timings=tuple((str(name), float(seconds)) for name, seconds in data.get("timings", [])),
            peak_memory_mb=None if peak is None else float(peak),
        )


@dataclass(frozen=True)
class TaskUsage:
    """Wall time and peak resident memory of one task process of the reconcile stage."""

    task: str
    """``plan`` or ``bucket <n>``."""
    seconds: float
    peak_memory_mb: float | None

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "seconds": self.seconds, "peak_memory_mb": self.peak_memory_mb}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TaskUsage":
        peak = data.get("peak_memory_mb")
        return cls(str(data["task"]), float(data["seconds"]), None if peak is None else float(peak))


def _task_seconds(timings: tuple[tuple[str, float], ...]) -> float:
    """A task's seconds: the sum of its steps, without the parts a step times inside itself
    (``split.records`` inside ``split``: a dotted name)."""
    return sum(seconds for name, seconds in timings if "." not in name)


@dataclass(frozen=True)
class ReconcileResult:
    """What the reconcile stage found and wrote (unpublished result tables of ``attempt``)."""

    attempt: str
    extracted: int
    metrics: RunMetrics
    profile: Profile
    timings: tuple[tuple[str, float], ...] = ()
    """Seconds per step inside the stage (extract, normalise, classify, write), summed over buckets."""
    buckets: int = 1
    tasks: tuple[TaskUsage, ...] = ()
    """Per task process of the stage (the plan and each bucket): seconds and peak memory."""

    @classmethod
    def combine(cls, plan: PlanResult, buckets: "list[BucketResult] | tuple[BucketResult, ...]") -> "ReconcileResult":
        """The dataset's result from its plan and every bucket's result (sums; the plan's profile).

        Raises when a bucket is missing or twice: publishing a run with a bucket short would drop
        its records, and the conservation check is the last line, not the first.
        """
        ordered = sorted(buckets, key=lambda result: result.bucket)
        if [result.bucket for result in ordered] != list(range(plan.buckets)):
            got = [result.bucket for result in ordered]
            raise ValueError(f"expected the results of buckets 0..{plan.buckets - 1}, got {got}")
        metrics = RunMetrics.combine([result.metrics for result in ordered])
        if plan.split:
            if plan.profile is None or plan.extracted is None:
                raise ValueError("a split run's plan carries the profile and the record count")
            gate_profile, extracted = plan.profile, plan.extracted
        else:
            only = ordered[0]
            if only.profile is None:
                raise ValueError("an unsplit run's bucket carries the profile")
            gate_profile, extracted = only.profile, only.extracted
        steps: dict[str, float] = {}
        for name, seconds in (*plan.timings, *(item for result in ordered for item in result.timings)):
            steps[name] = steps.get(name, 0.0) + seconds
        tasks = (
            TaskUsage("plan", _task_seconds(plan.timings), plan.peak_memory_mb),
            *(TaskUsage(f"bucket {r.bucket}", _task_seconds(r.timings), r.peak_memory_mb) for r in ordered),
        )
        return cls(
            attempt=plan.attempt,
            extracted=extracted,
            metrics=metrics,
            profile=replace(gate_profile, deceased_active=metrics.reason_counts.get("DECEASED", 0)),
            timings=tuple(steps.items()),
            buckets=plan.buckets,
            tasks=tasks,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt,
            "extracted": self.extracted,
            "metrics": self.metrics.to_json(),
            "profile": self.profile.to_json(),
            "timings": [list(item) for item in self.timings],
            "buckets": self.buckets,
            "tasks": [task.to_json() for task in self.tasks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ReconcileResult":
        return cls(
            attempt=str(data["attempt"]),
            extracted=int(data["extracted"]),
            metrics=RunMetrics.from_json(data["metrics"]),
            profile=Profile.from_json(data["profile"]),
            timings=tuple((str(name), float(seconds)) for name, seconds in data.get("timings", [])),
            buckets=int(data.get("buckets", 1)),
            tasks=tuple(TaskUsage.from_json(item) for item in data.get("tasks", [])),
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
    """``review`` breaches publish only after an operator approves (the ``approve_publish`` stage)."""
    description: str = ""

    @property
    def needs_review(self) -> bool:
        return self.severity == "review"

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "quality": self.quality,
            "observed": self.observed,
            "threshold": self.threshold,
            "severity": self.severity,
            "description": self.description,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Breach":
        observed, threshold = data.get("observed"), data.get("threshold")
        return cls(
            check=str(data["check"]),
            quality=str(data["quality"]),
            observed=None if observed is None else float(observed),
            threshold=None if threshold is None else float(threshold),
            severity=str(data.get("severity", "warn")),
            description=str(data.get("description", "")),
        )


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

    @property
    def review_breaches(self) -> tuple[Breach, ...]:
        """The breaches an operator must see before the run publishes."""
        return tuple(breach for breach in self.breaches if breach.needs_review)

    def to_json(self) -> dict[str, Any]:
        return {
            "breaches": [breach.to_json() for breach in self.breaches],
            "gx_preloaded": self.gx_preloaded,
            "gx_import_seconds": self.gx_import_seconds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "GateResult":
        return cls(
            tuple(Breach.from_json(item) for item in data.get("breaches", [])),
            data.get("gx_preloaded"),
            float(data.get("gx_import_seconds", 0.0)),
        )


@dataclass(frozen=True)
class PublishOutcome:
    published: bool
    reason: str
    lifecycle: LifecycleCounts | None = None
    """What the run did to the mismatch lifecycle (None when not published)."""
    timings: tuple[tuple[str, float], ...] = ()
    """Seconds of each step of the publish transaction (``pipeline/publish.py``)."""

    def to_json(self) -> dict[str, Any]:
        lifecycle = None if self.lifecycle is None else self.lifecycle.to_json()
        timings = [list(item) for item in self.timings]
        return {"published": self.published, "reason": self.reason, "lifecycle": lifecycle, "timings": timings}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PublishOutcome":
        lifecycle = data.get("lifecycle")
        return cls(
            bool(data["published"]),
            str(data["reason"]),
            None if lifecycle is None else LifecycleCounts.from_json(lifecycle),
            tuple((str(name), float(seconds)) for name, seconds in data.get("timings", [])),
        )


@dataclass(frozen=True)
class DatasetState:
    """The results of one dataset run so far, in stage order."""

    plan: PlanResult | None = None
    reconciled: ReconcileResult | None = None
    gate: GateResult | None = None
    published: PublishOutcome | None = None

    def with_result(self, result: PlanResult | ReconcileResult | GateResult | PublishOutcome) -> "DatasetState":
        if isinstance(result, PlanResult):
            return replace(self, plan=result)
        if isinstance(result, ReconcileResult):
            return replace(self, reconciled=result)
        if isinstance(result, GateResult):
            return replace(self, gate=result)
        return replace(self, published=result)

    def need_reconciled(self) -> ReconcileResult:
        if self.reconciled is None:
            raise ValueError("the reconcile stage has not run")
        return self.reconciled

    def need_plan(self) -> PlanResult:
        if self.plan is None:
            raise ValueError("the plan stage has not run")
        return self.plan

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": None if self.plan is None else self.plan.to_json(),
            "reconciled": None if self.reconciled is None else self.reconciled.to_json(),
            "gate": None if self.gate is None else self.gate.to_json(),
            "published": None if self.published is None else self.published.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "DatasetState":
        data = data or {}
        return cls(
            plan=None if data.get("plan") is None else PlanResult.from_json(data["plan"]),
            reconciled=None if data.get("reconciled") is None else ReconcileResult.from_json(data["reconciled"]),
            gate=None if data.get("gate") is None else GateResult.from_json(data["gate"]),
            published=None if data.get("published") is None else PublishOutcome.from_json(data["published"]),
        )


@dataclass(frozen=True)
class BucketTask:
    """What one mapped task of a ``per_bucket`` stage receives (the state after the plan, its bucket)
    and hands on (the same, with its bucket's result)."""

    state: DatasetState
    bucket: int
    result: BucketResult | None = None

    def done(self, result: BucketResult) -> "BucketTask":
        return replace(self, result=result)

    def need_result(self) -> BucketResult:
        if self.result is None:
            raise ValueError(f"bucket {self.bucket} has no result")
        return self.result

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state.to_json(),
            "bucket": self.bucket,
            "result": None if self.result is None else self.result.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BucketTask":
        result = data.get("result")
        return cls(
            DatasetState.from_json(data["state"]),
            int(data["bucket"]),
            None if result is None else BucketResult.from_json(result),
        )
