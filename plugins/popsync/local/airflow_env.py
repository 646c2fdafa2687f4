"""Environment for Airflow processes started by popsync (CLI, tests, benchmarks).

Everything points at one PostgreSQL server: the embedded one, or ``POPSYNC_DATABASE_URL``.
Must be applied before ``airflow`` is imported, because Airflow reads its configuration
at import time.
"""

import os
import secrets

from popsync.db.connections import connection_env_var
from popsync.sectors import load_sectors
from popsync.settings import (
    AIRFLOW_DATABASE,
    PROJECT_DIR,
    REGISTER_CONN_ID,
    REGISTER_DATABASE,
    WAREHOUSE_CONN_ID,
    WAREHOUSE_DATABASE,
    Settings,
    source_database,
)


def _jwt_secret(settings: Settings) -> str:
    """A 64-byte secret shared by the Airflow components, kept in the popsync home."""
    path = settings.airflow_home / "jwt_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def airflow_environment(settings: Settings) -> dict[str, str]:
    """Variables that configure Airflow and the popsync connections for this project."""
    env = {
        "AIRFLOW_HOME": str(settings.airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_DIR / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # LocalExecutor that imports Great Expectations before forking its workers (airflow/executors.py).
        "AIRFLOW__CORE__EXECUTOR": "popsync.airflow.executors.PreloadingLocalExecutor",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": settings.database_url_for(AIRFLOW_DATABASE).replace(
            "postgresql://", "postgresql+psycopg://", 1
        ),
        # Local single-user mode (ui.sh, popsync run, the demo): every request is an admin's, which is
        # why the API server binds 127.0.0.1 only. The compose stack requires a login instead.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        "AIRFLOW__CORE__LAZY_LOAD_PLUGINS": "True",
        "AIRFLOW__CORE__PARALLELISM": "4",
        # The scheduler loop sleeps this long when it has nothing to do; the default (1 s) shows as
        # up to a second between one task's end and the next one's start (benchmarks/airflow_run.py).
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.25",
        # A task parses its DAG file first (~20 s when the machine is loaded; the default limit is 30 s).
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "180",
        "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "240",
        "AIRFLOW__API_AUTH__JWT_SECRET": _jwt_secret(settings),
        # One API server on 127.0.0.1 serves the UI, the REST API and the tasks' Execution API.
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(settings.api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{settings.api_port}/execution/",
        # Log servers on ports derived from the API port, so that two checkouts do not collide.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(settings.api_port + 10_000),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(settings.api_port + 10_001),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR / "plugins"), os.environ.get("PYTHONPATH")])),
    }
    databases = {WAREHOUSE_CONN_ID: WAREHOUSE_DATABASE, REGISTER_CONN_ID: REGISTER_DATABASE}
    for sector in load_sectors():
        if all(dataset.source_definition.kind == "postgres" for dataset in sector.datasets):
            databases[sector.conn_id] = source_database(sector.sector)
    for conn_id, database in databases.items():
        env[connection_env_var(conn_id)] = settings.database_url_for(database)
    return env


def apply_airflow_environment(settings: Settings) -> None:
    """Set the variables in this process, keeping any the user already set."""
    for key, value in airflow_environment(settings).items():
        os.environ.setdefault(key, value)
