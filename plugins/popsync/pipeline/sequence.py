"""The one sequence of stages of a dataset run, used by the DAG, the benchmark and the tests.

Each stage is a function ``(run, state) -> state`` that adds its typed result to the
:class:`~popsync.pipeline.results.DatasetState`. :func:`run_dataset` runs them in order in
one process; the DAG factory turns each into a task and hands the state on through XCom.

The reconcile stage runs per bucket (``Stage.per_bucket``): the plan decides the buckets
(``pipeline/plan.py``), the DAG maps one task over each (Airflow's dynamic task mapping, so the
workers share one dataset and a failed bucket is retried alone), and the next task combines
their results (:func:`combine_buckets`). In one process, :func:`reconcile_stage` runs the
buckets one after the other.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from popsync.pipeline.approval import approval_stage
from popsync.pipeline.deaths import check_deaths
from popsync.pipeline.gate import run_quality_gate
from popsync.pipeline.history import record_metrics
from popsync.pipeline.incremental import finish_split_state
from popsync.pipeline.publish import drop_run_tables, publish
from popsync.pipeline.results import BucketResult, DatasetState, ReconcileResult
from popsync.pipeline.run import DatasetRun

_log = logging.getLogger(__name__)

StageFunction = Callable[[DatasetRun, DatasetState], DatasetState]
BucketFunction = Callable[[DatasetRun, DatasetState, int], BucketResult]


def planned_run(run: DatasetRun, state: DatasetState) -> DatasetRun:
    """The run as the plan made it: its attempt and its number of buckets."""
    if state.plan is None:
        return run
    return replace(run, attempt=state.plan.attempt, buckets=state.plan.buckets)


def plan_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Decide the run's buckets; with several, read the source once and split the records."""
    from popsync.pipeline.plan import plan

    return state.with_result(plan(run))


def bucket_stage(run: DatasetRun, state: DatasetState, bucket: int) -> BucketResult:
    """Classify one bucket; write its unpublished result tables."""
    # Imported here: DuckDB, Arrow and ADBC cost seconds to import, and only this stage needs
    # them; the DAG file and the other stages' task processes start without them.
    from popsync.pipeline.reconcile import reconcile_bucket

    return reconcile_bucket(planned_run(run, state), state.need_plan(), bucket)


def combine_buckets(run: DatasetRun, state: DatasetState, results: Sequence[BucketResult]) -> DatasetState:
    """The run's reconcile result from every bucket's; the plan's files are no longer needed."""
    from popsync.pipeline.plan import remove_run_folder

    plan = state.need_plan()
    combined = ReconcileResult.combine(plan, list(results))
    remove_run_folder(planned_run(run, state))
    finish_split_state(planned_run(run, state), plan)  # the buckets' shares of the state become one
    return state.with_result(combined)


def reconcile_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Every bucket in this process, one after the other (plans first when no plan ran)."""
    if state.plan is None:
        state = plan_stage(run, state)
    plan = state.need_plan()
    try:
        results = [bucket_stage(run, state, bucket) for bucket in range(plan.buckets)]
    except Exception:
        from popsync.pipeline.plan import remove_run_folder

        remove_run_folder(planned_run(run, state))
        raise
    return combine_buckets(run, state, results)


def quality_gate_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Great Expectations validates the run's suite; a fail breach raises and nothing is published."""
    return state.with_result(run_quality_gate(run, state.need_reconciled()))


def publish_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Check conservation, swap the result tables in; drop them when they were not published."""
    run = planned_run(run, state)
    outcome = publish(run, state.need_reconciled().extracted)
    drop_run_tables(run, keep_results=outcome.published)
    if outcome.published and run.dataset.columns.death_date is not None:
        check_deaths(run)  # unregistered deaths, and feedback for deaths the register lacks
    return state.with_result(outcome)


def publish_metrics_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Record the run's metrics history and build its Data Docs (the DAG adds the Asset event and StatsD gauges)."""
    if state.gate is None:
        raise ValueError("the quality gate has not run")
    lifecycle = None if state.published is None else state.published.lifecycle
    record_metrics(run, state.need_reconciled().metrics, state.gate, lifecycle)
    build_docs(run)
    return state


def build_docs(run: DatasetRun) -> None:
    """GX's Data Docs pages of the run, after publishing (a failure is logged, the run stands)."""
    from popsync.quality.data_docs import build_run_docs

    try:
        build_run_docs(run.sector.sector, run.dataset.name, run.run_id)
    except Exception:
        _log.exception(
            "%s: Data Docs of run %s could not be built; `popsync quality docs` rebuilds them", run.label, run.run_tag
        )


StageKind = Literal["fan_out", "per_bucket", "task", "approval"]
"""How a stage becomes tasks in a DAG:

- ``fan_out``: one task whose result lists the buckets the next stage is mapped over;
- ``per_bucket``: one mapped task instance per bucket (``Stage.per_bucket``); the next stage's
  task combines their results first;
- ``task``: one task, the state in and out through XCom;
- ``approval``: an operator's approval (Airflow's human-in-the-loop operator), which skips
  itself when nothing needs one; the next stage runs after it approved or skipped.
"""


@dataclass(frozen=True)
class Stage:
    name: str
    """Also the task id inside the dataset's task group."""
    function: StageFunction
    """The stage in one process (:func:`run_dataset`)."""
    kind: StageKind = "task"
    per_bucket: BucketFunction | None = None
    """For a ``per_bucket`` stage: one bucket (``function`` runs them all in one process)."""

    def __post_init__(self) -> None:
        if (self.kind == "per_bucket") != (self.per_bucket is not None):
            raise ValueError(f"stage {self.name!r}: a per_bucket stage, and only one, has a bucket function")


STAGES: tuple[Stage, ...] = (
    Stage("plan", plan_stage, kind="fan_out"),
    Stage("reconcile", reconcile_stage, kind="per_bucket", per_bucket=bucket_stage),
    Stage("quality_gate", quality_gate_stage),
    Stage("approve_publish", approval_stage, kind="approval"),
    Stage("publish", publish_stage),
    Stage("publish_metrics", publish_metrics_stage),
)


def run_dataset(run: DatasetRun, *, on_stage: Callable[[str, float, DatasetState], None] | None = None) -> DatasetState:
    """Run every stage of one dataset run in this process; return the final state.

    A new attempt suffix keeps its result tables apart from any other attempt's. When a
    stage fails, the attempt's unpublished tables are dropped and the error propagates.
    """
    run = run if run.attempt else run.with_new_attempt()
    state = DatasetState()
    for stage in STAGES:
        started = time.perf_counter()
        try:
            state = stage.function(run, state)
        except Exception:
            if state.published is None:
                drop_run_tables(planned_run(run, state), keep_results=False)
            raise
        if on_stage is not None:
            on_stage(stage.name, time.perf_counter() - started, state)
    _log.info("%s: run %s finished", run.label, run.run_tag)
    return state
