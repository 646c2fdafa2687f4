"""The one sequence of stages of a dataset run, used by the DAG, the benchmark and the tests.

Each stage is a function ``(run, state) -> state`` that adds its typed result to the
:class:`~popsync.pipeline.results.DatasetState`. :func:`run_dataset` runs them in order in
one process; the DAG factory turns each into a task and hands the state on through XCom.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from popsync.pipeline.deaths import check_deaths
from popsync.pipeline.gate import run_quality_gate
from popsync.pipeline.history import record_metrics
from popsync.pipeline.publish import drop_run_tables, publish
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun

_log = logging.getLogger(__name__)

StageFunction = Callable[[DatasetRun, DatasetState], DatasetState]


def reconcile_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Extract, normalise, profile and classify; write unpublished result tables."""
    # Imported here: DuckDB, Arrow and ADBC cost seconds to import, and only this stage needs
    # them; the DAG file and the other stages' task processes start without them.
    from popsync.pipeline.reconcile import reconcile

    return state.with_result(reconcile(run))


def quality_gate_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Great Expectations validates the run's suite; a fail breach raises and nothing is published."""
    return state.with_result(run_quality_gate(run, state.need_reconciled()))


def publish_stage(run: DatasetRun, state: DatasetState) -> DatasetState:
    """Check conservation, swap the result tables in; drop them when they were not published."""
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


@dataclass(frozen=True)
class Stage:
    name: str
    """Also the task id inside the dataset's task group."""
    function: StageFunction


STAGES: tuple[Stage, ...] = (
    Stage("reconcile", reconcile_stage),
    Stage("quality_gate", quality_gate_stage),
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
                drop_run_tables(run, keep_results=False)
            raise
        if on_stage is not None:
            on_stage(stage.name, time.perf_counter() - started, state)
    _log.info("%s: run %s finished", run.label, run.run_tag)
    return state
