"""Build one DAG per sector definition: the stages of ``pipeline.sequence.STAGES`` as tasks."""

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import duckdb
import pendulum
import psycopg
from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, Metadata, TaskGroup, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from popsync.airflow.approval_operator import PublishApprovalOperator
from popsync.airflow.assets import REFERENCE_ASSET, dataset_asset
from popsync.airflow.defaults import default_args
from popsync.airflow.hook_connections import use_airflow_connections
from popsync.airflow.hostname import node_name
from popsync.airflow.review_metrics import emit_lifecycle_gauges, lifecycle_extra
from popsync.airflow.statsd import emit_gauges
from popsync.airflow.task_context import dataset_run
from popsync.db.redact import RecordSafeError, describe_error, redact
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.memory import peak_memory_mb
from popsync.pipeline.results import BucketResult, DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import STAGES, Stage, combine_buckets, planned_run
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
**plan** (how many buckets; with several, read the extract once and split it by the
resolved personal ID) → **reconcile**, one mapped task per bucket (read the extract or the
bucket's records, normalise IDs, names, dates and genders, profile for the gate, classify
with reason codes, write unpublished result tables) → **quality_gate** (Great Expectations
validates the dataset's suite: "đúng, đủ, sạch, sống" on the run's profile, plus the YAML's
expectations) →
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
    """The task's dataset run: a new attempt for the plan, the plan's attempt and buckets after it."""
    run = dataset_run(get_current_context(), sector, dataset, "")
    if state.plan is None:
        return run.with_new_attempt()
    return planned_run(run, state)


PEAK_MEMORY_XCOM = "peak_memory_mb"
"""XCom key under which every task of a dataset records its process's peak resident memory."""


def _log_peak_memory(stage: str) -> None:
    """Every task logs its process's peak resident memory (VmHWM) and records it as an XCom.

    The benchmark reads the XCom of each task instance (mapped buckets included).
    """
    peak = peak_memory_mb()
    if peak is None:
        return
    _log.info("%s: peak resident memory (VmHWM) %.0f MB", stage, peak)
    get_current_context()["ti"].xcom_push(key=PEAK_MEMORY_XCOM, value=round(peak, 1))


def _plan_task(sector: SectorDefinition, dataset: DatasetDefinition, stage: Stage) -> Any:
    """The plan: one entry per bucket (the state and the bucket), which the reconcile task maps over."""

    @task(task_id=stage.name)
    def plan_task() -> list[dict[str, Any]]:
        run = _run_of(sector, dataset, DatasetState())
        state = _fail_fast(lambda: stage.function(run, DatasetState()))
        _log_peak_memory(stage.name)
        return [{"state": state.to_dict(), "bucket": bucket} for bucket in range(state.need_plan().buckets)]

    return plan_task


def _bucket_task(sector: SectorDefinition, dataset: DatasetDefinition, stage: Stage) -> Any:
    """One bucket of the stage as one mapped task instance (retried alone when it fails)."""
    per_bucket = stage.per_bucket
    assert per_bucket is not None

    @task(task_id=stage.name, map_index_template="{{ popsync_bucket }}")
    def bucket_task(entry: dict[str, Any]) -> dict[str, Any]:
        bucket = int(entry["bucket"])
        context = get_current_context()
        context["popsync_bucket"] = f"bucket {bucket}"  # type: ignore[typeddict-unknown-key]
        previous = DatasetState.from_dict(entry["state"])
        run = _run_of(sector, dataset, previous)
        _log.info("%s: bucket %d of %d on %s", run.label, bucket, run.buckets, node_name())
        result = _fail_fast(lambda: per_bucket(run, previous, bucket))
        _log_peak_memory(f"{stage.name} bucket {bucket}")
        return {"state": entry["state"], "result": result.to_dict()}

    return bucket_task


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
    """One stage as a task: state in through XCom, the stage's function, state out.

    The task after the mapped stage also receives every bucket's result and combines them first.
    """
    if not last:
        # publish also runs when approve_publish skipped itself (no review-level breach)
        trigger_rule = "none_failed" if stage.name == "publish" else "all_success"

        @task(task_id=stage.name, trigger_rule=trigger_rule)
        def stage_task(
            state: dict[str, Any] | None = None, bucket_results: Sequence[dict[str, Any]] | None = None
        ) -> dict[str, Any]:
            if bucket_results is not None:  # the mapped stage's outputs: each carries the plan's state
                # by index: iterating Airflow's lazy sequence probes one past the end (an error in the log)
                buckets = [bucket_results[index] for index in range(len(bucket_results))]
                state = buckets[0]["state"]
            previous = DatasetState.from_dict(state)
            run = _run_of(sector, dataset, previous)
            if bucket_results is not None:
                results = [BucketResult.from_dict(item["result"]) for item in buckets]
                previous = _fail_fast(lambda: combine_buckets(run, previous, results))
            done = _fail_fast(lambda: stage.function(run, previous))
            _log_peak_memory(stage.name)
            return done.to_dict()

        return stage_task

    asset = dataset_asset(sector.sector, dataset.name)

    @task(task_id=stage.name, outlets=[asset])
    def final_task(state: dict[str, Any] | None = None) -> Any:
        previous = DatasetState.from_dict(state)
        run = _run_of(sector, dataset, previous)
        final = _fail_fast(lambda: stage.function(run, previous))
        _log_peak_memory(stage.name)
        emit_gauges(run, final.need_reconciled().metrics)
        emit_lifecycle_gauges(run, None if final.published is None else final.published.lifecycle)
        yield Metadata(asset, extra=_asset_extra(run, final))

    return final_task


def _dataset_tasks(sector: SectorDefinition, dataset: DatasetDefinition) -> None:
    """plan → reconcile (mapped over the plan's buckets) → quality_gate → approve_publish → publish → ..."""
    with TaskGroup(group_id=dataset.name, tooltip=dataset.title):
        state: Any = None
        entries: Any = None
        bucket_results: Any = None
        for index, stage in enumerate(STAGES):
            if index == 0:
                entries = _plan_task(sector, dataset, stage)()
                continue
            if stage.per_bucket is not None:
                bucket_results = _bucket_task(sector, dataset, stage).expand(entry=entries)
                continue
            task_function = _stage_task(sector, dataset, stage, last=index == len(STAGES) - 1)
            gate_output = state if state is not None else bucket_results
            if bucket_results is not None:
                state = task_function(bucket_results=bucket_results)
                bucket_results = None
            else:
                state = task_function(state)
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
