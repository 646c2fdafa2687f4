"""The Airflow API server app (real auth manager, the popsync plugin loaded) over the test warehouse."""

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from popsync.local.dag_runner import DagRunResult
from popsync.settings import WAREHOUSE_DATABASE, Settings

ACCESS = {
    "users": {"bhyt_clerk": ["health_insurance"], "edu_justice": ["education", "justice"]},
    "roles": {"ADMIN": ["*"]},
}
_ENV = {
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
    "POPSYNC_UI_SECTOR_ACCESS": json.dumps(ACCESS),
}


@pytest.fixture(scope="module")
def web_client(first_runs: dict[str, DagRunResult]) -> Iterator[TestClient]:
    """Airflow's own FastAPI app (``airflow api-server`` serves the same), with the plugin mounted.

    Module-scoped: its environment (no all-admins login, sector access) is restored when the
    module ends, so Airflow servers other modules start keep Airflow's defaults.
    """
    assert all(result.succeeded for result in first_runs.values())
    saved = {key: os.environ.get(key) for key in _ENV}
    os.environ.update(_ENV)
    from airflow.api_fastapi.app import create_app, purge_cached_app

    from popsync.web.context import reset_context

    reset_context()
    purge_cached_app()
    app = create_app("core")
    with TestClient(app) as client:
        yield client
    reset_context()
    purge_cached_app()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def token_for(web_client: TestClient) -> Callable[[str, str], dict[str, str]]:
    """Authorization headers of an Airflow user (a JWT signed by the auth manager, as /auth/token issues)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    def headers(name: str, role: str) -> dict[str, str]:
        token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=name, role=role))
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture(scope="module")
def admin(token_for: Callable[[str, str], dict[str, str]]) -> dict[str, str]:
    return token_for("ops_admin", "ADMIN")


@pytest.fixture
def warehouse(settings: Settings) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE), autocommit=True) as conn:
        yield conn
