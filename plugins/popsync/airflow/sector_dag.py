"""Build one DAG per sector definition: the stages of ``pipeline.sequence.STAGES`` as tasks."""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import pendulum
import psycopg
from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, Metadata, TaskGroup, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from popsync.airflow.approval import PublishApprovalOperator
from popsync.airflow.assets import REFERENCE_ASSET, dataset_asset
from popsync.airflow.connections import use_airflow_connections
from popsync.airflow.context import dataset_run
from popsync.airflow.defaults import default_args
from popsync.airflow.review_metrics import emit_lifecycle_gauges, lifecycle_extra
from popsync.airflow.statsd import emit_gauges
from popsync.db.redact import RecordSafeError, describe_error, redact
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import STAGES, Stage
from popsync.sectors.model import DatasetDefinition, SectorDefinition

_log = logging.getLogger(__name__)
T = TypeVar("T")


def _doc(sector: SectorDefinition) -> str:
    datasets = "\n".join(f"- **{d.name}**: {d.title} ({d.source_summary})" for d in sector.datasets)
    return f"""### {sector.title}: sync with the population register

Reconciles every record of each dataset against the register mirror on the 12-digit
personal ID number and publishes the results to the warehouse contract
(`sync.matches`, `sync.mismatches`, `sync.sector_sync_rate`).

Datasets:
{datasets}

Per dataset, the stages of `popsync.pipeline.sequence.STAGES`, one task each:
**reconcile** (read the extract straight into the worker, normalise IDs, names, dates and
genders, profile for the gate, classify with reason codes, write unpublished result
tables) → **quality_gate** (Great Expectations validates the dataset's suite: "đúng, đủ,
sạch, sống" on the run's profile, plus the YAML's expectations) →
**approve_publish** (asks an operator only when a `review`-level check such as
`sync_rate_drop` is breached; skipped otherwise) → **publish** (conservation check, atomic
partition swap, mismatch lifecycle) → **publish_metrics** (history, Asset event,
StatsD, GX Data Docs). A failed run leaves the previous results published.

Runs on `{sector.schedule}` (cron) and whenever the register mirror is refreshed.
Defined in `include/sectors/{sector.sector}.yaml`; owner: {sector.owner}.
"""


def _fail_fast(step: Callable[[], T]) -> T:
    """Run a step; data rejections fail the task at once instead of being retried.

    Database errors, which may quote a record's values, reach the task log as a safe description.
    """
    try:
        return step()
    except DataRejectedError as exc:
        raise AirflowFailException(redact(str(exc))) from None
    except (psycopg.Error, duckdb.Error) as exc:
        raise RecordSafeError(describe_error(exc)) from None


def _run_of(sector: SectorDefinition, dataset: DatasetDefinition, state: DatasetState) -> DatasetRun:
    """The task's dataset run: a new attempt for the first stage, the state's attempt after it."""
    run = dataset_run(get_current_context(), sector, dataset, "")
    if state.reconciled is None:
        return run.with_new_attempt()
    return dataset_run(get_current_context(), sector, dataset, state.reconciled.attempt)


def _asset_extra(run: DatasetRun, state: DatasetState) -> dict[str, Any]:
    reconciled = state.need_reconciled()
    metrics = reconciled.metrics
    gate = state.gate
    return {
        "sector": run.sector.sector,
        "dataset": run.dataset.name,
        "run_id": run.run_id,
        "published": bool(state.published and state.published.published),
        "total": metrics.total,
        "matched": metrics.matched,
        "mismatched": metrics.mismatched,
        "sync_rate": metrics.sync_rate,
        "active_total": metrics.active_total,
        "active_matched": metrics.active_matched,
        "active_sync_rate": metrics.active_sync_rate,
        "reason_counts": metrics.reason_counts,
        "quality_status": None if gate is None else gate.status,
        "quality_warnings": [] if gate is None else [breach.check for breach in gate.breaches],
        "provinces": {p.province_code: p.sync_rate for p in metrics.provinces},
        "provinces_active": {
            p.province_code: p.active_sync_rate for p in metrics.provinces if p.active_sync_rate is not None
        },
        **lifecycle_extra(None if state.published is None else state.published.lifecycle),
    }


def _stage_task(sector: SectorDefinition, dataset: DatasetDefinition, stage: Stage, last: bool) -> Any:
    """One stage as a task: state in through XCom, the stage's function, state out."""
    if not last:
        # publish also runs when approve_publish skipped itself (no review-level breach)
        trigger_rule = "none_failed" if stage.name == "publish" else "all_success"

        @task(task_id=stage.name, trigger_rule=trigger_rule)
        def stage_task(state: dict[str, Any] | None = None) -> dict[str, Any]:
            previous = DatasetState.from_dict(state)
            run = _run_of(sector, dataset, previous)
            return _fail_fast(lambda: stage.function(run, previous)).to_dict()

        return stage_task

    asset = dataset_asset(sector.sector, dataset.name)

    @task(task_id=stage.name, outlets=[asset])
    def final_task(state: dict[str, Any] | None = None) -> Any:
        previous = DatasetState.from_dict(state)
        run = _run_of(sector, dataset, previous)
        final = _fail_fast(lambda: stage.function(run, previous))
        emit_gauges(run, final.need_reconciled().metrics)
        emit_lifecycle_gauges(run, None if final.published is None else final.published.lifecycle)
        yield Metadata(asset, extra=_asset_extra(run, final))

    return final_task


def _dataset_tasks(sector: SectorDefinition, dataset: DatasetDefinition) -> None:
    with TaskGroup(group_id=dataset.name, tooltip=dataset.title):
        state: Any = None
        for index, stage in enumerate(STAGES):
            task_function = _stage_task(sector, dataset, stage, last=index == len(STAGES) - 1)
            gate_output = state
            state = task_function() if state is None else task_function(state)
            if stage.name == "publish":  # the operator's approval, asked only on a review-level breach
                approval = PublishApprovalOperator(
                    task_id="approve_publish",
                    sector=sector,
                    dataset=dataset,
                    gate_task_id=f"{dataset.name}.quality_gate",
                )
                gate_output >> approval >> state


def build_sector_dag(sector: SectorDefinition) -> DAG:
    """The sync DAG of one sector, scheduled on its cron and on register refreshes."""
    schedule = AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(sector.schedule, timezone="Asia/Ho_Chi_Minh"),
        assets=REFERENCE_ASSET,
    )
    use_airflow_connections()
    with DAG(
        dag_id=sector.dag_id,
        description=f"Sync {sector.title} with the population register",
        schedule=schedule,
        start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
        catchup=False,
        max_active_runs=1,
        default_args=default_args(sector.owner),
        tags=["popsync", "sector", sector.sector, *sector.tags],
        doc_md=_doc(sector),
    ) as dag:
        for dataset in sector.datasets:
            _dataset_tasks(sector, dataset)
    return dag
