"""No process a test session started outlives it.

Every process the session starts inherits ``POPSYNC_TEST_SESSION`` (a token set at import).
At the end of the session, after the fixtures' own teardown, any process still carrying this
session's token is stopped (SIGTERM, then SIGKILL after a grace period) and named in the
summary, so a leak is visible and fixed at its fixture rather than left running.
"""

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

TOKEN_VARIABLE = "POPSYNC_TEST_SESSION"
_TOKEN = uuid.uuid4().hex
os.environ[TOKEN_VARIABLE] = _TOKEN
_STOPPED = pytest.StashKey[list[str]]()


def _session_processes(token: str) -> dict[int, str]:
    """PID → command line of every other process whose environment carries ``token``."""
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone, or not ours to read
            continue
        if cmdline:  # zombies have none and are their parent's to reap
            found[int(entry.name)] = cmdline
    return found


def stop_session_processes(token: str, grace_seconds: float = 15.0) -> list[str]:
    """Stop the processes carrying ``token``; return what was stopped (pid and command)."""
    leftovers = _session_processes(token)
    for pid in leftovers:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and _session_processes(token).keys() & leftovers.keys():
        time.sleep(0.2)
    for pid in _session_processes(token).keys() & leftovers.keys():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return [f"{pid} {command[:120]}" for pid, command in sorted(leftovers.items())]


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> Iterator[None]:
    # After every other session-finish step: the session fixtures' teardown and, under
    # pytest-xdist, the controller's shutdown of its workers (which carry its token too).
    try:
        yield
    finally:
        session.config.stash[_STOPPED] = stop_session_processes(_TOKEN)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    stopped = config.stash.get(_STOPPED, [])
    if stopped:
        terminalreporter.write_sep("=", f"stopped {len(stopped)} process(es) the session left running", yellow=True)
        for line in stopped:
            terminalreporter.write_line(line)
