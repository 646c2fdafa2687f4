"""Time one sector DAG run through Airflow (``dag.test``) on the benchmark's data.

    POPSYNC_HOME=.popsync/bench POPSYNC_EMBEDDED_PORT=... .venv/bin/python benchmarks/airflow_run.py

Prints the DAG run's wall time, each task's own duration from Airflow's metadata, the part
of the wall time spent outside the tasks (scheduling, XCom, state), and what a fresh task
process pays before its first line of work under a process-per-task executor (interpreter,
Airflow and popsync imports, DAG file parse), measured in a fresh process.
"""

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

SECTOR_DAG = "sync_health_insurance"
STARTUP_PROBE = (
    "import time; t=time.perf_counter(); import airflow.sdk; a=time.perf_counter(); "
    "import runpy; runpy.run_path('dags/sector_sync.py'); d=time.perf_counter(); "
    "print(a - t, d - a)"
)


def main() -> int:
    from popsync.airflow_env import apply_airflow_environment
    from popsync.bootstrap import bootstrap
    from popsync.settings import PROJECT_DIR, get_settings

    settings = get_settings()
    apply_airflow_environment(settings)
    bootstrap(settings)
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from popsync.airflow.runner import run_dag

    logical_date = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    result = run_dag(SECTOR_DAG, logical_date)
    wall = time.perf_counter() - started
    with create_session() as session:
        tasks = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == SECTOR_DAG, TaskInstance.run_id == result.run_id)
        ).all()
        durations = {ti.task_id: float(ti.duration or 0.0) for ti in tasks}
    probes = []
    for _ in range(3):
        probe = subprocess.run(
            [sys.executable, "-c", STARTUP_PROBE], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
        )
        probes.append([float(x) for x in probe.stdout.split()])
    airflow_import = sorted(p[0] for p in probes)[1]
    dag_parse = sorted(p[1] for p in probes)[1]
    report = {
        "dag_id": SECTOR_DAG,
        "state": result.state,
        "wall_seconds": wall,
        "task_seconds": durations,
        "sum_task_seconds": sum(durations.values()),
        "outside_tasks_seconds": wall - sum(durations.values()),
        "fresh_process_airflow_import_seconds": airflow_import,
        "fresh_process_dag_parse_seconds": dag_parse,
        "tasks": len(durations),
    }
    print(json.dumps(report, indent=2))
    return 0 if result.succeeded else 1


if __name__ == "__main__":
    sys.exit(main())
