"""Identity of the running task's dataset run, from the Airflow context."""

from datetime import datetime
from typing import Any

from popsync.airflow.run_fates import dead_runs_from
from popsync.pipeline.run import DatasetRun
from popsync.sectors.model import DatasetDefinition, SectorDefinition


def dataset_run(context: Any, sector: SectorDefinition, dataset: DatasetDefinition, attempt: str = "") -> DatasetRun:
    """The DatasetRun of the current DAG run (asset-triggered runs use their run_after time)."""
    dag_run = context["dag_run"]
    logical_date: datetime | None = context.get("logical_date") or getattr(dag_run, "logical_date", None)
    if logical_date is None:
        logical_date = dag_run.run_after
    return DatasetRun(
        sector=sector,
        dataset=dataset,
        run_id=dag_run.run_id,
        logical_date=logical_date,
        attempt=attempt,
        full_run=bool((getattr(dag_run, "conf", None) or {}).get("full_run", False)),  # trigger conf
        dead_runs=dead_runs_from(context["ti"]),  # the janitor drops dead runs' tables at once
    )
