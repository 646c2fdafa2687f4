"""Publish approval through Airflow's human-in-the-loop operator, answered over Airflow's REST API.

The sector DAG runs through ``dag.test()`` in this process (a thread answers); a real API server and a
real scheduler (LocalExecutor; the DAG stays paused, so the scheduler only runs its timeout sweep
of ``awaiting_input`` tasks) run against the same metadata database. Airflow 3.3 parks HITL
tasks in ``awaiting_input`` instead of deferring them, so no triggerer is involved.

Each test on ``health_insurance.cards``: a clean baseline published (approval skipped itself), then
a run of a source with 20% of the names broken (sync rate drop > 10 points, a ``review`` breach):
rejected over REST, timed out, or approved over REST. Every test publishes its own baseline on a
fresh logical date and restores and republishes the clean source after, so none depends on
another (the approved run publishes the broken names, which would hide the next test's breach).
"""

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import psycopg
import pytest

from popsync.local.bootstrap import airflow_command
from popsync.local.dag_runner import DagRunResult, run_dag
from popsync.settings import Settings

DAG_ID, TASK = "sync_health_insurance", "cards.approve_publish"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def airflow_api(server_url: str, settings: Settings) -> Iterator[httpx.Client]:
    """An Airflow API server and scheduler on the test's metadata database; a client with a token."""
    port = _free_port()
    env = os.environ | {
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__SCHEDULER__TRIGGER_TIMEOUT_CHECK_INTERVAL": "2",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # /auth/token below: an admin's token
    }
    logs = settings.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    for name, args in (("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(port)]),
                       ("scheduler", ["scheduler"])):  # fmt: skip
        with open(logs / f"{name}.log", "wb") as log:
            processes.append(
                subprocess.Popen(
                    [*airflow_command(), *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        healthy = False
        while time.monotonic() < deadline and not healthy:
            time.sleep(2)
            try:
                health = httpx.get(f"{base}/api/v2/monitor/health", timeout=5).json()
                healthy = health["scheduler"]["status"] == "healthy"
            except (httpx.HTTPError, KeyError, ValueError):
                continue
        assert healthy, "the Airflow API server and scheduler did not come up in 5 minutes"
        token = httpx.get(f"{base}/auth/token", timeout=10).json()["access_token"]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            yield client
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


class Responder:
    """Answers (or only watches) the approval request from a thread while the DAG runs in the main thread.

    ``dag.test()`` runs tasks in-process and needs the main thread (signal handlers).
    """

    def __init__(self, client: httpx.Client, option: str | None, comment: str = "") -> None:
        self.client, self.option, self.comment = client, option, comment
        self.request: dict[str, Any] | None = None
        self.answer: httpx.Response | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._respond, daemon=True)
        self.thread.start()

    def _respond(self) -> None:
        try:
            self.request = _waiting_request(self.client)
            if self.option is not None:
                self.answer = _respond(self.client, self.request, self.option, self.comment)
        except BaseException as exc:  # reported by done()
            self.error = exc

    def done(self) -> "Responder":
        self.thread.join(60)
        if self.error is not None:
            raise self.error
        assert self.request is not None
        return self


def _waiting_request(client: httpx.Client, timeout: float = 600) -> dict[str, Any]:
    """The open HITL request of the approval task, once the run has parked it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(
            f"/api/v2/dags/{DAG_ID}/dagRuns/~/hitlDetails", params={"task_id": TASK, "response_received": False}
        )
        response.raise_for_status()
        details = list(response.json()["hitl_details"])
        if details:
            assert len(details) == 1
            return dict(details[0])
        time.sleep(2)
    raise AssertionError("no approval request appeared")


def _respond(client: httpx.Client, request: dict[str, Any], option: str, comment: str) -> httpx.Response:
    run_id = request["task_instance"]["dag_run_id"]
    return client.patch(
        f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{TASK}/-1/hitlDetails",
        json={"chosen_options": [option], "params_input": {"comment": comment}},
    )


def _published(settings: Settings) -> tuple[Any, ...]:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute(
            "SELECT run_id, logical_date FROM sync.published_runs WHERE sector = 'health_insurance'"
        ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture
def broken_source(
    first_runs: dict[str, DagRunResult], settings: Settings, fresh_date: Callable[[], datetime]
) -> Iterator[None]:
    """A clean baseline run published, then 20% of the cards' names broken at the source (restored after)."""
    baseline = run_dag(DAG_ID, fresh_date())
    assert baseline.succeeded, baseline.task_states
    assert baseline.task_states[TASK] == "skipped"  # no review breach: no operator needed
    url = settings.database_url_for("popsync_src_health_insurance")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS public.approval_backup; CREATE TABLE public.approval_backup AS TABLE bhyt.the_bhyt"
        )
        conn.execute(
            "UPDATE bhyt.the_bhyt SET ho_ten = 'ZZ KHÔNG KHỚP' WHERE ma_the IN "
            "(SELECT ma_the FROM bhyt.the_bhyt ORDER BY ma_the LIMIT (SELECT count(*) / 5 FROM bhyt.the_bhyt))"
        )
    try:
        yield
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "TRUNCATE bhyt.the_bhyt; INSERT INTO bhyt.the_bhyt SELECT * FROM public.approval_backup; "
                "DROP TABLE public.approval_backup"
            )
        # the generated data's results published again, for the tests that compare them with the ground truth
        assert run_dag(DAG_ID, fresh_date()).succeeded


@pytest.mark.usefixtures("broken_source")
def test_rejection_over_rest_keeps_the_previous_results(
    airflow_api: httpx.Client, settings: Settings, fresh_date: Callable[[], datetime]
) -> None:
    before = _published(settings)
    responder = Responder(airflow_api, "Reject", "too many name changes, ask BHXH first")
    result = run_dag(DAG_ID, fresh_date())
    request, answer = responder.done().request, responder.answer
    assert request is not None and answer is not None
    assert request["options"] == ["Approve", "Reject"] and request["defaults"] == ["Reject"]
    assert "sync_rate_drop" in request["body"] and "sync rate" in request["body"]
    assert answer.status_code == 200, answer.text
    assert answer.json()["responded_by"]["name"]
    assert not result.succeeded
    assert result.task_states[TASK] == "failed"
    assert result.task_states["cards.publish"] == "upstream_failed"
    assert _published(settings) == before


@pytest.mark.usefixtures("broken_source")
def test_timeout_rejects(
    airflow_api: httpx.Client,
    settings: Settings,
    fresh_date: Callable[[], datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POPSYNC_APPROVAL_TIMEOUT_MINUTES", "0.2")
    before = _published(settings)
    responder = Responder(airflow_api, None)
    result = run_dag(DAG_ID, fresh_date())  # the scheduler's sweep rejects after 12 s
    request = responder.done().request
    assert request is not None
    assert not result.succeeded
    assert result.task_states[TASK] == "failed"
    assert result.task_states["cards.publish"] == "upstream_failed"
    assert _published(settings) == before
    detail = airflow_api.get(
        f"/api/v2/dags/{DAG_ID}/dagRuns/{request['task_instance']['dag_run_id']}/taskInstances/{TASK}/-1/hitlDetails"
    ).json()
    assert detail["chosen_options"] == ["Reject"] and detail["responded_by_user"] is None


@pytest.mark.usefixtures("broken_source")
def test_approval_over_rest_publishes(
    airflow_api: httpx.Client, settings: Settings, fresh_date: Callable[[], datetime]
) -> None:
    date = fresh_date()
    responder = Responder(airflow_api, "Approve", "known re-keying at BHXH")
    result = run_dag(DAG_ID, date)
    answer = responder.done().answer
    assert answer is not None and answer.status_code == 200, None if answer is None else answer.text
    assert answer.json()["chosen_options"] == ["Approve"]
    assert result.succeeded, result.task_states
    assert result.task_states[TASK] == "success"
    assert _published(settings) == (result.run_id, date)
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        breach = conn.execute(
            "SELECT severity, success, observed_value > threshold FROM sync.quality_results "
            "WHERE run_id = %s AND check_name = 'sync_rate_drop'",
            (result.run_id,),
        ).fetchone()
    assert breach == ("review", False, True)
