"""A test session stops what it started: a process a test leaves running is stopped at the end."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_a_leaked_process_is_stopped_and_named(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    (tmp_path / "test_leak.py").write_text(
        textwrap.dedent(
            f"""
            import subprocess
            from pathlib import Path

            def test_leaks_a_process():
                process = subprocess.Popen(["sleep", "600"], start_new_session=True)
                Path({str(pid_file)!r}).write_text(str(process.pid))
            """
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.process_guard", "--rootdir", str(tmp_path),
         "-c", os.devnull, str(tmp_path / "test_leak.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "the leaked process outlived its session"
    assert "stopped 1 process(es) the session left running" in result.stdout
    assert f"{pid} sleep 600" in result.stdout
