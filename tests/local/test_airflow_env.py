"""The environment popsync gives every Airflow process it starts on this machine."""

from pathlib import Path

from popsync.db.connections import connection_env_var
from popsync.local.airflow_env import airflow_environment
from popsync.sectors import load_sectors
from popsync.settings import Settings, source_conn_id, source_database


def test_everything_points_at_one_server_and_this_project(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="postgresql://u:p@db.example:5433", embedded_port=1, api_port=8123)
    env = airflow_environment(settings)
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql+psycopg://u:p@db.example:5433/popsync_airflow"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"
    assert env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == "18123"
    for sector in load_sectors():
        assert sector.conn_id == source_conn_id(sector.sector)
        url = env[connection_env_var(sector.conn_id)]
        assert url == f"postgresql://u:p@db.example:5433/{source_database(sector.sector)}"
