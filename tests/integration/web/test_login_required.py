"""A real ``airflow api-server`` as the stack runs it: no all-admins mode, users with passwords.

Anonymous requests to Airflow's API, popsync's pages, JSON, exports and Data Docs are refused;
popsync's REST client logs in with its credentials; a sector-scoped user sees only its sector.
"""

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from popsync.local.api_client import AirflowApi, ApiError
from popsync.local.bootstrap import airflow_command
from popsync.local.dag_runner import DagRunResult
from popsync.local.stack_check import ANONYMOUS_PROBES, probe_anonymous, probe_sector_user
from popsync.settings import ApiCredentials, Settings

USERS = {"ops_admin": ("admin", "admin-pass-1x"), "hi_reader": ("viewer", "reader-pass-2y")}
ACCESS = {"users": {"ops_admin": ["*"], "hi_reader": ["health_insurance"]}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(
    first_runs: dict[str, DagRunResult], settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    assert all(result.succeeded for result in first_runs.values())
    work = tmp_path_factory.mktemp("login")
    passwords = work / "passwords.json"
    passwords.write_text(json.dumps({name: secret for name, (_, secret) in USERS.items()}), encoding="utf-8")
    passwords.chmod(0o600)
    port = _free_port()
    env = {
        **os.environ,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{n}:{role}" for n, (role, _) in USERS.items()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "POPSYNC_UI_SECTOR_ACCESS": json.dumps(ACCESS),
    }
    log_path = work / "api-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*airflow_command(), "api-server", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 240
            while AirflowApi(base).health() is None:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the API server did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(1)
            yield base
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _token(base: str, user: str) -> str:
    api = AirflowApi(base, credentials=ApiCredentials(user, USERS[user][1]))
    return api.token()


def test_anonymous_requests_are_refused_everywhere(server: str) -> None:
    results = probe_anonymous(server)
    assert len(results) == len(ANONYMOUS_PROBES)
    print("\n".join(result.line() for result in results))  # shown with -rP: the record of what was refused
    opened = [result.line() for result in results if not result.refused]
    assert not opened, "\n".join(opened)
    by_path = {(r.method, r.path): r for r in results}
    assert by_path[("GET", "/api/v2/dags")].status == 401
    assert by_path[("GET", "/popsync/api/overview")].status == 401
    assert by_path[("GET", "/popsync/export.csv")].status in (401, 303)
    assert by_path[("GET", "/popsync/data-docs/")].status in (401, 303)
    page = by_path[("GET", "/popsync/")]
    assert page.status == 303 and "/auth/login" in page.location  # a browser is sent to the login page
    assert by_path[("GET", "/auth/token")].status == 403  # no all-admins token


def test_a_wrong_password_or_a_forged_token_gets_nothing(server: str) -> None:
    with pytest.raises(ApiError, match="refused the login of 'ops_admin'"):
        AirflowApi(server, credentials=ApiCredentials("ops_admin", "not-the-password")).token()
    with pytest.raises(ApiError, match="POPSYNC_API_USER"):
        AirflowApi(server, credentials=None).token()
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJ4In0.AAAA"}
    assert httpx.get(f"{server}/api/v2/dags", headers=forged).status_code in (401, 403)
    assert httpx.get(f"{server}/popsync/api/overview", headers=forged).status_code in (401, 403)


def test_the_rest_client_logs_in_with_its_credentials(server: str) -> None:
    api = AirflowApi(server, credentials=ApiCredentials("ops_admin", USERS["ops_admin"][1]))
    try:
        assert api.dag_exists("sync_reference")
        assert not api.dag_exists("no_such_dag")
    finally:
        api.close()
    headers = {"Authorization": f"Bearer {_token(server, 'ops_admin')}"}
    response = httpx.get(f"{server}/api/v2/dags", headers=headers, timeout=30)
    assert response.status_code == 200
    assert "sync_reference" in {dag["dag_id"] for dag in response.json()["dags"]}


def test_the_admin_sees_every_sector_and_exports(server: str) -> None:
    cookies = {"_token": _token(server, "ops_admin")}
    with httpx.Client(base_url=server, cookies=cookies, timeout=60) as client:
        assert client.get("/popsync/").status_code == 200
        overview = client.get("/popsync/api/overview").json()
        assert {row["sector"] for row in overview["rollup"]} == {
            "education",
            "health_insurance",
            "justice",
            "social_insurance",
        }
        export = client.get("/popsync/export.csv", params={"sector": "justice"})
        assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
        index = client.get("/popsync/data-docs/")
        assert index.status_code == 200 and "expectations/education/" in index.text  # GX's own index


def test_a_sector_scoped_user_sees_only_its_sector(server: str, settings: Settings) -> None:
    cookies = {"_token": _token(server, "hi_reader")}
    with httpx.Client(base_url=server, cookies=cookies, timeout=60) as client:
        overview = client.get("/popsync/api/overview")
        assert overview.status_code == 200
        assert {row["sector"] for row in overview.json()["rollup"]} == {"health_insurance"}
        assert client.get("/popsync/api/mismatches", params={"sector": "education"}).status_code == 403
        mismatches = client.get("/popsync/api/mismatches")
        assert mismatches.status_code == 200
        assert {row["sector"] for row in mismatches.json()["rows"]} == {"health_insurance"}
        assert client.get("/popsync/export.csv", params={"sector": "education"}).status_code == 403
        assert client.get("/popsync/export.csv", params={"sector": "health_insurance"}).status_code == 200

        index = client.get("/popsync/data-docs/")
        assert index.status_code == 200
        assert "/data-docs/expectations/health_insurance/" in index.text
        assert "/education/" not in index.text
        docs = Path(settings.data_docs_dir)
        own = next((docs / "validations" / "health_insurance").rglob("*.html"))
        other = next((docs / "validations" / "education").rglob("*.html"))
        assert client.get(f"/popsync/data-docs/{own.relative_to(docs)}").status_code == 200
        assert client.get(f"/popsync/data-docs/{other.relative_to(docs)}").status_code == 403
        assert client.get("/popsync/data-docs/health_insurance/cards/..%2F..%2Findex.html").status_code == 404
        # Airflow's own API: a viewer reads, but may not trigger.
        headers = {"Authorization": f"Bearer {_token(server, 'hi_reader')}"}
        assert httpx.get(f"{server}/api/v2/dags", headers=headers, timeout=30).status_code == 200
        trigger = httpx.post(
            f"{server}/api/v2/dags/sync_reference/dagRuns", headers=headers, json={"logical_date": None}, timeout=30
        )
        assert trigger.status_code == 403


def test_the_stack_checks_sector_probes_pass_for_the_sector_user_only(server: str) -> None:
    """``stack_check sector-user`` (run by ``stack.sh test``): all pass for hi_reader, not for an admin."""
    others = ["education", "justice", "social_insurance"]
    checks = probe_sector_user(server, _token(server, "hi_reader"), "health_insurance", others)
    print("\n".join(check.line() for check in checks))
    assert len(checks) == 15 and all(check.ok for check in checks), [c.line() for c in checks if not c.ok]
    admin = probe_sector_user(server, _token(server, "ops_admin"), "health_insurance", others)
    assert not all(check.ok for check in admin)  # sees every sector and may trigger: the probe tells
