"""The ``register_feedback`` DAG: export pending register_wrong verdicts for the register authority."""

from typing import Any

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, Metadata, get_current_context, task

from popsync.airflow.assets import FEEDBACK_ASSET
from popsync.airflow.defaults import default_args
from popsync.db.audit import AuditEvent, record_audit_event
from popsync.db.connections import connect
from popsync.review.feedback import export_feedback
from popsync.settings import WAREHOUSE_CONN_ID

DOC = """### Feedback to the population register

Sector teams mark a mismatch `register_wrong` when they believe the register, not their own
record, is wrong (`popsync verdict set ... register_wrong --comment ...`). Each such verdict
adds a row to `sync.register_feedback` (the record, the register's values, the sector's values,
the comment). Every day this DAG writes the pending rows to a CSV file for the register
authority (`<popsync home>/exports/register_feedback/`), marks them exported, and emits the
`popsync.review.register_feedback` Asset (rows, file, rows per sector).
"""


def build_feedback_dag() -> DAG:
    with DAG(
        dag_id="register_feedback",
        description="Export register_wrong verdicts for the register authority",
        schedule=CronTriggerTimetable("0 3 * * *", timezone="Asia/Ho_Chi_Minh"),
        start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
        catchup=False,
        max_active_runs=1,
        default_args=default_args("register-team"),
        tags=["popsync", "review"],
        doc_md=DOC,
    ) as dag:

        @task(task_id="export_feedback", outlets=[FEEDBACK_ASSET])
        def export_task() -> Any:
            context = get_current_context()
            dag_run = context["dag_run"]
            stamp = (context.get("logical_date") or dag_run.run_after).strftime("%Y%m%dT%H%M%S")
            with connect(WAREHOUSE_CONN_ID) as conn:
                export = export_feedback(conn, f"register_feedback_{stamp}.csv")
                if export.rows:
                    record_audit_event(
                        conn,
                        AuditEvent(
                            actor="register_feedback",
                            action="export.register_feedback",
                            detail={"rows": export.rows, "file": str(export.path), "run_id": dag_run.run_id},
                        ),
                    )
                conn.commit()
            extra: dict[str, Any] = {
                "rows": export.rows,
                "file": None if export.path is None else str(export.path),
                "by_sector": export.by_sector,
            }
            yield Metadata(FEEDBACK_ASSET, extra=extra)

        export_task()
    return dag
