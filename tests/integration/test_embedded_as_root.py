"""The embedded server as root: it drops to its own user and group, from any project folder.

A project in a ``0700`` folder (a fresh clone made with ``mktemp -d``, a project under ``/root``)
is out of reach of the server's user; the cluster then lives in ``/var/lib/popsync/<hash>`` and
nothing outside popsync's own folders changes mode.
"""

import os
import pwd
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from popsync.db.embedded import (
    RELOCATED_ROOT,
    EmbeddedPostgres,
    ServerUser,
    private_install,
    relocated_home,
    run_program,
    wheel_install_dir,
)

as_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="covers running as root (PostgreSQL refuses root; CI runs as root)"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _modes(paths: list[Path]) -> dict[Path, int]:
    return {path: path.stat().st_mode for path in paths}


def _proc_ids(pid: int) -> dict[str, list[int]]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("Uid", "Gid", "Groups"):
            fields[key] = [int(part) for part in value.split()]
    return fields


@pytest.fixture
def private_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="popsync-private-"))  # mode 0700, owned by root
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="popsync-open-"))
    folder.chmod(0o755)  # a folder of the test's own: every user may enter it
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@as_root
def test_server_runs_from_a_project_its_user_cannot_reach(private_folder: Path) -> None:
    assert stat.S_IMODE(private_folder.stat().st_mode) == 0o700
    data_dir = private_folder / "clone" / ".popsync" / "pgdata"
    watched = [private_folder, *private_folder.parents]
    install = wheel_install_dir()
    watched += [install, *install.parents, *sorted((install / "bin").iterdir())]
    before = _modes(watched)
    server = EmbeddedPostgres(data_dir, _free_port())
    try:
        url = server.ensure_running()
        with psycopg.connect(f"{url}/postgres") as conn:
            row = conn.execute("SELECT current_setting('data_directory')").fetchone()
        assert row == (str(server.cluster_dir),)
        assert server.layout.relocated
        assert server.cluster_dir.parent == relocated_home(data_dir)
        assert server.cluster_dir.is_relative_to(RELOCATED_ROOT)
        assert (server.cluster_dir.parent / "PROJECT").read_text().strip() == str(data_dir.resolve())

        user = pwd.getpwnam("pgserver")
        postmaster = int((server.cluster_dir / "postmaster.pid").read_text().split()[0])
        ids = _proc_ids(postmaster)
        assert set(ids["Uid"]) == {user.pw_uid}
        assert set(ids["Gid"]) == {user.pw_gid}  # not root's group
        assert set(ids["Groups"]) <= {user.pw_gid}  # no supplementary group of root's

        assert _modes(watched) == before  # no folder or file outside popsync's own changed mode
        assert stat.S_IMODE(private_folder.stat().st_mode) == 0o700

        server.stop()
        again = EmbeddedPostgres(data_dir, server.port)  # a new process finds the same cluster
        assert again.ensure_running() == url
        assert again.cluster_dir == server.cluster_dir
    finally:
        EmbeddedPostgres(data_dir, server.port).stop()
        shutil.rmtree(relocated_home(data_dir), ignore_errors=True)


@as_root
def test_server_in_a_reachable_project_stays_in_the_project(open_folder: Path) -> None:
    data_dir = open_folder / ".popsync" / "pgdata"
    server = EmbeddedPostgres(data_dir, _free_port())
    try:
        server.ensure_running()
        assert not server.layout.relocated
        assert server.cluster_dir == data_dir
        assert data_dir.stat().st_uid == pwd.getpwnam("pgserver").pw_uid
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    finally:
        server.stop()


def test_private_copy_of_the_binaries_runs(open_folder: Path) -> None:
    """The copy keeps the install tree's relative layout, so the binaries find their libraries."""
    copy = private_install(wheel_install_dir(), open_folder)
    stamp = open_folder / "pgserver-binaries" / ".popsync-source"
    written = stamp.stat().st_mtime_ns
    assert private_install(wheel_install_dir(), open_folder) == copy
    assert stamp.stat().st_mtime_ns == written  # not copied twice
    user = ServerUser.ensure() if os.geteuid() == 0 else None
    assert user is None or user.can_reach(copy / "bin" / "postgres")
    for program in ("postgres", "initdb", "pg_ctl"):
        result = run_program([str(copy / "bin" / program), "--version"], user, open_folder)
        assert result.returncode == 0 and "PostgreSQL" in result.stdout and "18" in result.stdout, result.stderr
