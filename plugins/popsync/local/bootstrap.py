"""Prepare a machine for popsync: database server, databases, Airflow metadata DB."""

import logging
import os
import subprocess
import sys
from pathlib import Path

from popsync.db.databases import ensure_database, ensure_server
from popsync.db.sql_files import read_sql
from popsync.local.airflow_env import apply_airflow_environment
from popsync.settings import AIRFLOW_DATABASE, WAREHOUSE_DATABASE, Settings

_log = logging.getLogger(__name__)


def airflow_command() -> list[str]:
    """The ``airflow`` CLI of this virtual environment."""
    candidate = Path(sys.executable).with_name("airflow")
    return [str(candidate)] if candidate.exists() else [sys.executable, "-m", "airflow"]


def bootstrap(settings: Settings, *, migrate_airflow: bool = True) -> str:
    """Start/point at the server, create the warehouse and Airflow databases, migrate Airflow."""
    server = ensure_server(settings)
    ensure_database(settings, WAREHOUSE_DATABASE)
    created = ensure_database(settings, AIRFLOW_DATABASE)
    apply_airflow_environment(settings)
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    if migrate_airflow and (created or not _airflow_migrated(settings)):
        _log.info("migrating the Airflow metadata database")
        subprocess.run([*airflow_command(), "db", "migrate"], check=True, env=os.environ.copy(), capture_output=True)
        _airflow_marker(settings).write_text("migrated\n")
    from popsync.pipeline.warehouse import ensure_warehouse_schema

    ensure_warehouse_schema()
    return server


def _airflow_marker(settings: Settings) -> Path:
    return settings.airflow_home / ".popsync-migrated"


def _airflow_migrated(settings: Settings) -> bool:
    import psycopg

    with psycopg.connect(settings.database_url_for(AIRFLOW_DATABASE)) as conn:
        row = conn.execute(read_sql("db/relation_exists.sql"), {"name": "public.alembic_version"}).fetchone()
    return bool(row and row[0]) and _airflow_marker(settings).exists()
