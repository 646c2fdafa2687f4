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
from popsync.pipeline.results import BucketTask, DatasetState
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
    """The plan: one :class:`BucketTask` per bucket, which the next (``per_bucket``) stage maps over."""

    @task(task_id=stage.name)
    def plan_task() -> list[dict[str, Any]]:
        run = _run_of(sector, dataset, DatasetState())
        state = _fail_fast(lambda: stage.function(run, DatasetState()))
        _log_peak_memory(stage.name)
        return [BucketTask(state, bucket).to_json() for bucket in range(state.need_plan().buckets)]

    return plan_task


def _bucket_task(sector: SectorDefinition, dataset: DatasetDefinition, stage: Stage) -> Any:
    """One bucket of the stage as one mapped task instance (retried alone when it fails)."""
    per_bucket = stage.per_bucket
    assert per_bucket is not None

    @task(task_id=stage.name, map_index_template="{{ popsync_bucket }}")
    def bucket_task(entry: dict[str, Any]) -> dict[str, Any]:
        given = BucketTask.from_json(entry)
        context = get_current_context()
        context["popsync_bucket"] = f"bucket {given.bucket}"  # type: ignore[typeddict-unknown-key]
        run = _run_of(sector, dataset, given.state)
        _log.info("%s: bucket %d of %d on %s", run.label, given.bucket, run.buckets, node_name())
        result = _fail_fast(lambda: per_bucket(run, given.state, given.bucket))
        _log_peak_memory(f"{stage.name} bucket {given.bucket}")
        return given.done(result).to_json()

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


def _stage_task(
    sector: SectorDefinition, dataset: DatasetDefinition, stage: Stage, *, last: bool, after_approval: bool
) -> Any:
    """One stage as a task: state in through XCom, the stage's function, state out.

    The task after a ``per_bucket`` stage receives every bucket's task instead and combines
    their results first. After an ``approval`` stage it also runs when the approval skipped
    itself (nothing needed one).
    """
    if not last:

        @task(task_id=stage.name, trigger_rule="none_failed" if after_approval else "all_success")
        def stage_task(
            state: dict[str, Any] | None = None, bucket_results: Sequence[dict[str, Any]] | None = None
        ) -> dict[str, Any]:
            buckets: list[BucketTask] = []
            if bucket_results is not None:  # the mapped stage's outputs: each carries the plan's state
                # by index: iterating Airflow's lazy sequence probes one past the end (an error in the log)
                buckets = [BucketTask.from_json(bucket_results[index]) for index in range(len(bucket_results))]
                previous = buckets[0].state
            else:
                previous = DatasetState.from_json(state)
            run = _run_of(sector, dataset, previous)
            if buckets:
                results = [bucket.need_result() for bucket in buckets]
                previous = _fail_fast(lambda: combine_buckets(run, previous, results))
            done = _fail_fast(lambda: stage.function(run, previous))
            _log_peak_memory(stage.name)
            return done.to_json()

        return stage_task

    asset = dataset_asset(sector.sector, dataset.name)

    @task(task_id=stage.name, outlets=[asset], trigger_rule="none_failed" if after_approval else "all_success")
    def final_task(state: dict[str, Any] | None = None) -> Any:
        previous = DatasetState.from_json(state)
        run = _run_of(sector, dataset, previous)
        final = _fail_fast(lambda: stage.function(run, previous))
        _log_peak_memory(stage.name)
        emit_gauges(run, final.need_reconciled().metrics)
        emit_lifecycle_gauges(run, None if final.published is None else final.published.lifecycle)
        yield Metadata(asset, extra=_asset_extra(run, final))

    return final_task


def _dataset_tasks(sector: SectorDefinition, dataset: DatasetDefinition) -> None:
    """The dataset's stages (``STAGES``) as tasks, each as its kind says (``pipeline.sequence.StageKind``)."""
    with TaskGroup(group_id=dataset.name, tooltip=dataset.title):
        state: Any = None  # the latest task that hands on the DatasetState (its XCom)
        entries: Any = None  # the plan's bucket tasks
        bucket_results: Any = None  # the mapped stage's outputs, until the next stage combines them
        previous: Any = None  # the latest task, whatever its kind
        after_approval = False
        for index, stage in enumerate(STAGES):
            if stage.kind == "fan_out":
                entries = previous = _plan_task(sector, dataset, stage)()
            elif stage.kind == "per_bucket":
                if entries is None:
                    raise ValueError(f"stage {stage.name!r} maps over buckets: a plan stage must come before it")
                bucket_results = previous = _bucket_task(sector, dataset, stage).expand(entry=entries)
                entries = None
            elif stage.kind == "approval":
                if state is None:
                    raise ValueError(f"stage {stage.name!r} approves a state: a task stage must come before it")
                approval = PublishApprovalOperator(
                    task_id=stage.name, sector=sector, dataset=dataset, state_task_id=state.operator.task_id
                )
                previous >> approval
                previous, after_approval = approval, True
            else:
                task_function = _stage_task(
                    sector, dataset, stage, last=index == len(STAGES) - 1, after_approval=after_approval
                )
                if bucket_results is not None:
                    done = task_function(bucket_results=bucket_results)
                    bucket_results = None
                else:
                    done = task_function(state)
                if after_approval:
                    previous >> done
                state = previous = done
                after_approval = False


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
