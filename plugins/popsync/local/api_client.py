"""A small client of Airflow's REST API (``/api/v2``) with a JWT from ``/auth/token``."""

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from popsync.settings import ApiCredentials, api_credentials

ACTIVE_RUN_STATES = ("queued", "running")
FINISHED_TASK_STATES = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})


class ApiError(RuntimeError):
    """The API server refused a request or could not be reached."""


@dataclass(frozen=True)
class DagRunInfo:
    dag_id: str
    run_id: str
    state: str
    run_type: str
    conf: dict[str, Any]


@dataclass(frozen=True)
class TaskInstanceInfo:
    id: str
    task_id: str
    state: str | None
    try_number: int
    hostname: str | None
    queue: str | None
    map_index: int = -1
    """-1 for a task that is not mapped; else the index of its mapped instance (a bucket)."""
    rendered_map_index: str | None = None
    start_date: str | None = None
    end_date: str | None = None

    @property
    def label(self) -> str:
        """``task_id``, or ``task_id[bucket]`` for a mapped instance."""
        if self.map_index < 0:
            return self.task_id
        return f"{self.task_id}[{self.rendered_map_index or self.map_index}]"


@dataclass
class AirflowApi:
    """REST calls with a JWT from ``/auth/token``.

    With ``credentials`` (default: ``POPSYNC_API_USER`` / ``POPSYNC_API_PASSWORD``) the client logs
    in (``POST /auth/token``); without, it asks for an all-admins token (``GET /auth/token``), which
    only the local single-user mode grants.
    """

    base_url: str
    timeout: float = 30.0
    credentials: ApiCredentials | None = field(default_factory=api_credentials, repr=False)
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    def health(self) -> dict[str, Any] | None:
        """``/api/v2/monitor/health`` (no authentication), or None when nothing answers."""
        try:
            response = httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=5.0)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        return body

    def token(self) -> str:
        """A fresh JWT: logged in as ``credentials``, or the all-admins token of the local mode."""
        url = f"{self.base_url}/auth/token"
        try:
            if self.credentials is None:
                response = httpx.get(url, timeout=self.timeout)
            else:
                body = {"username": self.credentials.username, "password": self.credentials.password}
                response = httpx.post(url, json=body, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise ApiError(f"no API token from {url}: {exc}") from exc
        if response.status_code not in (200, 201):
            hint = (
                "set POPSYNC_API_USER and POPSYNC_API_PASSWORD (the server requires a login)"
                if self.credentials is None
                else f"the server refused the login of {self.credentials.username!r}"
            )
            raise ApiError(f"no API token from {url}: HTTP {response.status_code}; {hint}")
        return str(response.json()["access_token"])

    def _session(self) -> httpx.Client:
        if self._client is None:
            token = self.token()
            self._client = httpx.Client(
                base_url=f"{self.base_url}/api/v2",
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.timeout,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(3):
            try:
                response = self._session().request(method, path, **kwargs)
            except httpx.TransportError as exc:
                if attempt == 2:
                    raise ApiError(f"{method} {path}: {exc}") from exc
                time.sleep(1.0)
                continue
            if response.status_code == 401 and attempt < 2:  # token expired: get a new one
                self.close()
                continue
            if response.status_code >= 400:
                raise ApiError(f"{method} {path}: HTTP {response.status_code} {response.text[:300]}")
            return response.json() if response.content else None
        raise ApiError(f"{method} {path}: no answer")

    def dag_exists(self, dag_id: str) -> bool:
        try:
            self._call("GET", f"/dags/{quote(dag_id)}")
        except ApiError as exc:
            if "HTTP 404" in str(exc):
                return False
            raise
        return True

    def is_paused(self, dag_id: str) -> bool:
        return bool(self._call("GET", f"/dags/{quote(dag_id)}")["is_paused"])

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self._call("PATCH", f"/dags/{quote(dag_id)}", json={"is_paused": paused})

    def trigger(self, dag_id: str, run_id: str, logical_date: datetime, conf: dict[str, Any]) -> None:
        body = {"dag_run_id": run_id, "logical_date": logical_date.isoformat(), "conf": conf}
        self._call("POST", f"/dags/{quote(dag_id)}/dagRuns", json=body)

    def dag_run(self, dag_id: str, run_id: str) -> DagRunInfo:
        return _run_info(self._call("GET", f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}"))

    def active_runs(self) -> list[DagRunInfo]:
        """Queued or running DAG runs of every DAG."""
        params = [("state", s) for s in ACTIVE_RUN_STATES] + [("limit", "1000")]
        body = self._call("GET", "/dags/~/dagRuns", params=params)
        return [_run_info(item) for item in body["dag_runs"]]

    def fail_run(self, dag_id: str, run_id: str, note: str) -> None:
        """Mark a DAG run failed: its unfinished task instances fail or are skipped."""
        self._call("PATCH", f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}", json={"state": "failed", "note": note})

    def task_instances(self, dag_id: str, run_id: str) -> list[TaskInstanceInfo]:
        body = self._call("GET", f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances", params={"limit": 1000})
        return [_task_instance_info(item) for item in body["task_instances"]]

    def task_tries(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> list[TaskInstanceInfo]:
        """Every try of one task instance so far (its history and the current one), oldest first."""
        path = f"/dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances/{quote(task_id)}"
        path += f"/{map_index}/tries" if map_index >= 0 else "/tries"
        body = self._call("GET", path, params={"limit": 100})
        tries = [_task_instance_info(item) for item in body["task_instances"]]
        return sorted(tries, key=lambda t: t.try_number)


def _task_instance_info(item: dict[str, Any]) -> TaskInstanceInfo:
    map_index = item.get("map_index")
    return TaskInstanceInfo(
        id=item.get("id") or item.get("task_instance_id") or "",
        task_id=item["task_id"],
        state=item["state"],
        try_number=int(item.get("try_number") or 0),
        hostname=item.get("hostname") or None,
        queue=item.get("queue"),
        map_index=-1 if map_index is None else int(map_index),
        rendered_map_index=item.get("rendered_map_index") or None,
        start_date=item.get("start_date"),
        end_date=item.get("end_date"),
    )


def _run_info(item: dict[str, Any]) -> DagRunInfo:
    return DagRunInfo(
        dag_id=item["dag_id"],
        run_id=item["dag_run_id"],
        state=item["state"],
        run_type=item.get("run_type", ""),
        conf=item.get("conf") or {},
    )
