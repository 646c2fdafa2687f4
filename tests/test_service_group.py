"""scripts/service_group.sh (used by scripts/ui.sh) stops every process of its services.

A stand-in service forks two grandchildren, one ignoring SIGTERM, as the scheduler forks its
LocalExecutor workers; the script is stopped with SIGTERM and nothing of it may remain.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _default_signals() -> None:
    """Whatever this test process ignores (a library may ignore SIGINT), the script starts with the defaults."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _wait_for(path: Path, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"{path.name} not written")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_script_stops_services_and_their_children(tmp_path: Path, stop_signal: signal.Signals) -> None:
    service = tmp_path / "service.sh"
    service.write_text(
        f"sleep 600 & echo $! > {tmp_path}/child\n"
        f"(trap '' TERM; exec sleep 601) & echo $! > {tmp_path}/stubborn\n"
        "wait\n",
        encoding="utf-8",
    )
    script = tmp_path / "services.sh"
    script.write_text(
        "set -euo pipefail\n"
        f"source {ROOT}/scripts/service_group.sh\n"
        f"service_start bash {service}\n"
        "service_start sleep 602\n"
        f"echo $$ > {tmp_path}/script\n"
        "service_wait\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        ["bash", str(script)],
        env={**os.environ, "SERVICE_STOP_GRACE": "2"},
        start_new_session=True,
        preexec_fn=_default_signals,  # a signal ignored on entry cannot be trapped by the shell
    )
    try:
        child, stubborn = _wait_for(tmp_path / "child"), _wait_for(tmp_path / "stubborn")
        _wait_for(tmp_path / "script")
        assert _alive(child) and _alive(stubborn)
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) in (130, 143)
        deadline = time.monotonic() + 10  # SIGKILL is delivered asynchronously; on a loaded machine, give it time
        while (_alive(child) or _alive(stubborn)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the service's child outlived the script"
        assert not _alive(stubborn), "the child that ignores SIGTERM outlived the script"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
