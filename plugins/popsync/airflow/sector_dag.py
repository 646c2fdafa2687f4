"""Build one DAG per sector definition: extract -> normalise -> reconcile -> gate -> publish."""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pendulum
from airflow.sdk import DAG, AssetOrTimeSchedule, CronTriggerTimetable, Metadata, TaskGroup, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from popsync.airflow.approval import PublishApprovalOperator
from popsync.airflow.assets import REFERENCE_ASSET, dataset_asset
from popsync.airflow.context import dataset_run
from popsync.airflow.defaults import default_args
from popsync.airflow.review_metrics import emit_lifecycle_gauges, lifecycle_extra
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.extract import extract
from popsync.pipeline.gate import run_quality_gate
from popsync.pipeline.history import record_metrics
from popsync.pipeline.metrics import RunMetrics
from popsync.pipeline.normalise import normalise
from popsync.pipeline.publish import drop_run_tables, publish
from popsync.pipeline.reconcile import reconcile
from popsync.pipeline.statsd import emit_gauges
from popsync.review.lifecycle import LifecycleCounts
from popsync.sectors.model import DatasetDefinition, SectorDefinition

_log = logging.getLogger(__name__)
T = TypeVar("T")


def _doc(sector: SectorDefinition) -> str:
    datasets = "\n".join(f"- **{d.name}**: {d.title} (`include/sql/{d.extract_sql}`)" for d in sector.datasets)
    return f"""### {sector.title}: sync with the population register

Reconciles every record of each dataset against the register mirror on the 12-digit
personal ID number and publishes the results to the warehouse contract
(`sync.matches`, `sync.mismatches`, `sync.sector_sync_rate`).

Datasets:
{datasets}

Per dataset: **extract** (COPY from the sector database) → **normalise** (IDs, names,
dates, genders) → **reconcile** (reason codes) → **quality_gate** (Great Expectations,
"đúng, đủ, sạch, sống") → **approve_publish** (asks an operator only when a `review`-level
check such as `sync_rate_drop` is breached; skipped otherwise) → **publish** (atomic partition
swap, mismatch lifecycle) → **publish_metrics**
(history, Asset event, StatsD). A failed run leaves the previous results published.

Runs on `{sector.schedule}` (cron) and whenever the register mirror is refreshed.
Defined in `include/sectors/{sector.sector}.yaml`; owner: {sector.owner}.
"""


def _fail_fast(step: Callable[[], T]) -> T:
    """Run a step; data rejections fail the task at once instead of being retried."""
    try:
        return step()
    except DataRejectedError as exc:
        raise AirflowFailException(str(exc)) from exc


def _dataset_tasks(sector: SectorDefinition, dataset: DatasetDefinition) -> None:
    with TaskGroup(group_id=dataset.name, tooltip=dataset.title):

        @task(task_id="extract")
        def extract_task() -> int:
            return extract(dataset_run(get_current_context(), sector, dataset))

        @task(task_id="normalise")
        def normalise_task(extracted: int) -> int:
            return normalise(dataset_run(get_current_context(), sector, dataset))

        @task(task_id="reconcile")
        def reconcile_task(normalised: int) -> dict[str, Any]:
            run = dataset_run(get_current_context(), sector, dataset).with_new_attempt()
            metrics = reconcile(run)
            return {"attempt": run.attempt, "metrics": metrics.to_dict()}

        @task(task_id="quality_gate")
        def quality_gate_task(reconciled: dict[str, Any]) -> list[dict[str, Any]]:
            run = dataset_run(get_current_context(), sector, dataset, reconciled["attempt"])
            return _fail_fast(lambda: run_quality_gate(run))

        approval = PublishApprovalOperator(
            task_id="approve_publish",
            sector=sector,
            dataset=dataset,
            gate_task_id=f"{dataset.name}.quality_gate",
            reconcile_task_id=f"{dataset.name}.reconcile",
        )

        @task(task_id="publish", trigger_rule="none_failed")  # runs when approve_publish skipped itself
        def publish_task(reconciled: dict[str, Any], warnings: list[dict[str, Any]]) -> dict[str, Any]:
            run = dataset_run(get_current_context(), sector, dataset, reconciled["attempt"])
            outcome = _fail_fast(lambda: publish(run))
            drop_run_tables(run, keep_results=outcome.published)
            lifecycle = None if outcome.lifecycle is None else outcome.lifecycle.to_dict()
            return {"published": outcome.published, "lifecycle": lifecycle}

        asset = dataset_asset(sector.sector, dataset.name)

        @task(task_id="publish_metrics", outlets=[asset])
        def publish_metrics_task(
            reconciled: dict[str, Any], warnings: list[dict[str, Any]], publication: dict[str, Any]
        ) -> Any:
            run = dataset_run(get_current_context(), sector, dataset, reconciled["attempt"])
            metrics = RunMetrics.from_dict(reconciled["metrics"])
            published = bool(publication["published"])
            counts = publication["lifecycle"]
            lifecycle = None if counts is None else LifecycleCounts.from_dict(counts)
            record_metrics(run, metrics, quality_warnings=warnings, lifecycle=lifecycle)
            emit_gauges(run, metrics)
            emit_lifecycle_gauges(run, lifecycle)
            extra: dict[str, Any] = {
                "sector": sector.sector,
                "dataset": dataset.name,
                "run_id": run.run_id,
                "published": published,
                "total": metrics.total,
                "matched": metrics.matched,
                "mismatched": metrics.mismatched,
                "sync_rate": metrics.sync_rate,
                "reason_counts": metrics.reason_counts,
                "quality_status": "warned" if warnings else "passed",
                "quality_warnings": [w["check"] for w in warnings],
                "provinces": {p.province_code: p.sync_rate for p in metrics.provinces},
                **lifecycle_extra(lifecycle),
            }
            yield Metadata(asset, extra=extra)

        reconciled = reconcile_task(normalise_task(extract_task()))
        warnings = quality_gate_task(reconciled)
        publication = publish_task(reconciled, warnings)
        warnings >> approval >> publication
        publish_metrics_task(reconciled, warnings, publication)


def build_sector_dag(sector: SectorDefinition) -> DAG:
    """The sync DAG of one sector, scheduled on its cron and on register refreshes."""
    schedule = AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(sector.schedule, timezone="Asia/Ho_Chi_Minh"),
        assets=REFERENCE_ASSET,
    )
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
