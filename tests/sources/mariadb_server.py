"""A private MariaDB server for tests: its own data directory and a free loopback port.

Debian's ``mariadb-server`` (``scripts/mariadb_deps.sh`` installs it in CI) provides
``mariadb-install-db`` and ``mariadbd``; the server is started without the system's
configuration, reachable on 127.0.0.1 only, and removed with its data at the end.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest

USER, PASSWORD = "popsync", "popsync-test"


@dataclass(frozen=True)
class MariaDB:
    host: str
    port: int
    user: str
    password: str

    def url(self, database: str) -> str:
        return f"mysql+pymysql://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def connect(self, database: str | None = None) -> "pymysql.connections.Connection[pymysql.cursors.Cursor]":
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=database,
            charset="utf8mb4",
            autocommit=True,
        )


def _binary(*names: str) -> str | None:
    for name in names:
        for found in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
            if found and os.access(found, os.X_OK):
                return found
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def skip_or_fail(reason: str) -> None:
    """Skip with the reason on a developer machine; in CI the server must be there."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it with scripts/mariadb_deps.sh)")
    pytest.skip(f"{reason}: install it with `bash scripts/mariadb_deps.sh` (Debian's mariadb-server)")


@contextmanager
def mariadb_server() -> Iterator[MariaDB]:
    install, server = _binary("mariadb-install-db", "mysql_install_db"), _binary("mariadbd", "mysqld")
    if install is None or server is None:
        skip_or_fail("no MariaDB server on this machine")
        raise AssertionError("unreachable")
    home = Path(tempfile.mkdtemp(prefix="popsync-mariadb-"))
    data, sock = home / "data", home / "mysqld.sock"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(
        [install, "--no-defaults", f"--datadir={data}", "--auth-root-authentication-method=socket",
         "--skip-test-db", *as_root],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = _free_port()
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [server, "--no-defaults", f"--datadir={data}", f"--socket={sock}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--pid-file={home / 'mysqld.pid'}", "--skip-name-resolve",
         "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M", "--character-set-server=utf8mb4",
         "--collation-server=utf8mb4_unicode_ci", *as_root],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                admin = pymysql.connect(unix_socket=str(sock), user="root", autocommit=True)
                break
            except pymysql.err.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"mariadbd did not start: {(home / 'server.log').read_text()[-2000:]}") from None
                time.sleep(0.2)
        with admin, admin.cursor() as cursor:
            cursor.execute(f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'")
            cursor.execute(f"GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'127.0.0.1'")
        yield MariaDB("127.0.0.1", port, USER, PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)
