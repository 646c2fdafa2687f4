"""The ``popsync_maintenance`` DAG: a daily sweep of what crashed or stopped runs left behind."""

from dataclasses import asdict

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, get_current_context, task

from popsync.airflow.defaults import default_args
from popsync.airflow.run_fates import dead_runs_from
from popsync.pipeline.janitor import sweep_all

DOC = """### popsync maintenance

Daily janitor (`popsync.pipeline.janitor.sweep_all`). Removes, for every dataset:

- result tables in `sync_partitions` that were never published (runs stopped by the
  quality gate, killed, or superseded reconcile attempts),
- DuckDB scratch folders of killed sessions (`$POPSYNC_HOME/work/duckdb-*`),
- extract tables earlier versions staged in `staging`, and their work folders
  (`$POPSYNC_HOME/work/runs/`),

at once when Airflow records their run as dead (the DAG run failed or finished, or the
dataset's tasks failed for good), otherwise when no run has touched them for the grace
period (`POPSYNC_JANITOR_GRACE_HOURS`, default 6 hours), so a run still going on or
awaiting approval keeps its own. Never touches a partition that
`sync.published_runs` points at or that is attached to `sync.matches` / `sync.mismatches`.
Each sector run also sweeps its own dataset when it starts. The task's return value (and
log) gives the counts removed.
"""


def build_maintenance_dag() -> DAG:
    with DAG(
        dag_id="popsync_maintenance",
        description="Remove unpublished result tables and work files of crashed or stopped runs",
        schedule=CronTriggerTimetable("30 3 * * *", timezone="Asia/Ho_Chi_Minh"),
        start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
        catchup=False,
        max_active_runs=1,
        default_args=default_args("platform-team"),
        tags=["popsync", "maintenance"],
        doc_md=DOC,
    ) as dag:

        @task(task_id="sweep_orphans")
        def sweep_orphans() -> dict[str, int]:
            return asdict(sweep_all(dead_runs=dead_runs_from(get_current_context()["ti"])))

        sweep_orphans()
    return dag
