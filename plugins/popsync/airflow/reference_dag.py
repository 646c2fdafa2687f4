"""The ``sync_reference`` DAG: mirror the register, then emit the reference Asset."""

from typing import Any

import pendulum
import psycopg
from airflow.sdk import DAG, CronTriggerTimetable, Metadata, task

from popsync.airflow.assets import REFERENCE_ASSET
from popsync.airflow.defaults import default_args
from popsync.airflow.hook_connections import use_airflow_connections
from popsync.db.redact import RecordSafeError, describe_error
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.reference.mirror import sync_reference

DOC = """### Population register mirror

Copies the population register (`dan_cu.persons` behind the `popsync_register`
connection) into `reference.persons` in the warehouse: everything on the first run, then
the rows whose `updated_at` is at or after the last high watermark (upserted).
Each run emits the `popsync.reference.persons` Asset, which triggers every sector DAG.
"""


def build_reference_dag() -> DAG:
    use_airflow_connections()
    with DAG(
        dag_id="sync_reference",
        description="Mirror the population register into the warehouse",
        schedule=CronTriggerTimetable("0 0 * * *", timezone="Asia/Ho_Chi_Minh"),
        start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
        catchup=False,
        max_active_runs=1,
        default_args=default_args("register-team"),
        tags=["popsync", "reference"],
        doc_md=DOC,
    ) as dag:

        @task(task_id="mirror_register", outlets=[REFERENCE_ASSET])
        def mirror_register() -> Any:
            try:
                ensure_warehouse_schema()
                result = sync_reference()
            except psycopg.Error as exc:  # its message may quote a register row: log a safe description
                raise RecordSafeError(describe_error(exc)) from None
            yield Metadata(
                REFERENCE_ASSET,
                extra={
                    "rows_copied": result.rows_copied,
                    "full_load": result.full_load,
                    "row_count": result.row_count,
                    "high_watermark": None if result.high_watermark is None else result.high_watermark.isoformat(),
                },
            )

        mirror_register()
    return dag
