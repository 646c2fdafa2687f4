"""Airflow's long-running services for the local job (LocalExecutor on the embedded database).

``popsync run`` uses the API server, scheduler, DAG processor and triggerer that are already
running (``scripts/ui.sh``) and starts the missing ones for the duration of the job. Started
services run in their own process group, die with the job (``PR_SET_PDEATHSIG``) and are
recorded in a file, so that a job killed with SIGKILL leaves nothing the next job does not clean up.
"""

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from popsync.local.api_client import AirflowApi
from popsync.local.bootstrap import airflow_command
from popsync.settings import Settings

_log = logging.getLogger(__name__)

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
_HEALTH_KEYS = {"scheduler": "scheduler", "dag-processor": "dag_processor", "triggerer": "triggerer"}
_HEARTBEAT_WAIT = 12.0
"""Seconds to see a heartbeat advance before a component reported healthy is believed alive."""


@dataclass(frozen=True)
class StartedService:
    name: str
    pid: int
    log_file: Path


def _die_with_parent(sig: int) -> Callable[[], None]:
    """Signal this process with ``sig`` when the job that started it dies, even by SIGKILL."""

    def set_death_signal() -> None:  # pragma: no cover - runs in the child between fork and exec
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG

    return set_death_signal


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _live_components(api: AirflowApi) -> set[str]:
    """Components that answer: the API server, and those whose heartbeat advances."""
    first = api.health()
    if first is None:
        return set()
    live = {"api-server"}
    reported = {
        name: first.get(key, {}).get(f"latest_{key}_heartbeat")
        for name, key in _HEALTH_KEYS.items()
        if (first.get(key) or {}).get("status") == "healthy"
    }
    deadline = time.monotonic() + _HEARTBEAT_WAIT
    while reported and time.monotonic() < deadline:
        time.sleep(2.0)
        now = api.health() or {}
        for name in list(reported):
            key = _HEALTH_KEYS[name]
            if (now.get(key) or {}).get(f"latest_{key}_heartbeat") != reported[name]:
                live.add(name)
                del reported[name]
    return live


class LocalServices:
    """Context manager: the services are up inside it; those it started are stopped on exit."""

    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.api = AirflowApi(f"http://127.0.0.1:{settings.api_port}")
        self.env = env if env is not None else os.environ.copy()
        self.started: list[StartedService] = []
        self.reused: tuple[str, ...] = ()
        self._record = settings.airflow_home / "popsync-job-services.json"
        self.unpaused: list[str] = []
        """DAGs this job unpaused (to pause again at the end), kept in the record too."""
        self.leftover_unpaused: list[str] = []
        """DAGs a killed job unpaused and could not pause again."""
        self._log_dir = settings.airflow_home / "logs" / "services"

    # -- leftovers of a killed job -------------------------------------------------------------
    def reap_leftovers(self) -> int:
        """Stop the services a previous job started and could not stop (it was killed)."""
        try:
            record = json.loads(self._record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        if _alive(int(record.get("owner", 0))) and int(record.get("owner", 0)) != os.getpid():
            return 0  # another job is running: its services are its own
        self.leftover_unpaused = [str(d) for d in record.get("unpaused", [])]
        reaped = 0
        for pid in record.get("pids", []):
            if _alive(pid) and "airflow" in _command_line(pid):
                _stop_group(pid)
                reaped += 1
        self._record.unlink(missing_ok=True)
        return reaped

    def note_unpaused(self, dag_ids: Sequence[str]) -> None:
        self.unpaused.extend(d for d in dag_ids if d not in self.unpaused)
        self._write_record()

    def _write_record(self) -> None:
        record: dict[str, Any] = {
            "owner": os.getpid(),
            "pids": [s.pid for s in self.started],
            "unpaused": self.unpaused,
        }
        self._record.parent.mkdir(parents=True, exist_ok=True)
        self._record.write_text(json.dumps(record), encoding="utf-8")

    # -- start / stop ------------------------------------------------------------------------------
    def _start(self, name: str) -> None:
        args = [name]
        if name == "api-server":
            args += ["--host", "127.0.0.1", "--port", str(self.settings.api_port), "--workers", "1"]
        env = dict(self.env)
        if name == "scheduler":
            # The job's scheduler runs what the job triggers: no cron or Asset-triggered runs besides.
            env["AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE"] = "False"
        self._log_dir.mkdir(parents=True, exist_ok=True)
        log_file = self._log_dir / f"{name}.log"
        with log_file.open("ab") as out:
            process = subprocess.Popen(
                [*airflow_command(), *args],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the terminal reaches the job, which stops them in order
                # The scheduler side stops gracefully on SIGTERM; the stateless API server may not
                # (measured: it outlived a killed job), so it gets SIGKILL.
                preexec_fn=_die_with_parent(signal.SIGKILL if name == "api-server" else signal.SIGTERM),
            )
        self.started.append(StartedService(name, process.pid, log_file))
        self._write_record()

    def start_missing(self, components: Sequence[str] = COMPONENTS, timeout: float = 180.0) -> None:
        live = _live_components(self.api)
        self.reused = tuple(c for c in components if c in live)
        if "api-server" in components and "api-server" not in live:
            self._start("api-server")
            self._wait(lambda: self.api.health() is not None, "the API server", timeout)
        for name in components:
            if name != "api-server" and name not in live:
                self._start(name)

    def wait_healthy(self, components: Sequence[str], timeout: float = 180.0) -> None:
        def healthy() -> bool:
            health = self.api.health() or {}
            return all((health.get(_HEALTH_KEYS[c]) or {}).get("status") == "healthy" for c in components)

        self._wait(healthy, ", ".join(components), timeout)

    def _wait(self, ready: Any, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            dead = [s for s in self.started if not _alive(s.pid)]
            if dead:
                raise RuntimeError(f"Airflow {dead[0].name} exited; see {dead[0].log_file}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} not ready after {timeout:.0f} s; logs in {self._log_dir}")
            time.sleep(1.0)

    def stop(self) -> None:
        """Stop the started services: scheduler side first, the API server last."""
        for service in reversed(self.started):
            _stop_group(service.pid)
        self.started.clear()
        if self.unpaused:
            self._write_record()  # DAGs still to pause again: the next job does it
        else:
            self._record.unlink(missing_ok=True)
        self.api.close()

    def __enter__(self) -> "LocalServices":
        self.reap_leftovers()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _stop_group(pid: int, grace: float = 30.0) -> None:
    """SIGTERM the process group led by ``pid`` (a service and its children), SIGKILL after ``grace``."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if not _group_alive(pid):
            return
        time.sleep(0.3)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def local_services(settings: Settings) -> Iterator[LocalServices]:
    with LocalServices(settings) as services:
        services.start_missing()
        yield services
