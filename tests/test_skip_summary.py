"""The summary names every skipped area with its reason (tests/skip_summary.py)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_skipped_tests_are_counted_by_reason_in_the_summary(tmp_path: Path) -> None:
    (tmp_path / "test_area.py").write_text(
        textwrap.dedent(
            """
            import pytest

            pytestmark = pytest.mark.skipif(True, reason="Chromium is not installed")

            def test_one(): pass
            def test_two(): pass
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "test_other.py").write_text("import pytest\n\ndef test_x():\n    pytest.skip('no compose')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "plugins")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.skip_summary", "--rootdir", str(tmp_path),
         "-c", os.devnull, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any("skipped: 3 test(s), 2 reason(s)" in line for line in lines), result.stdout
    assert "SKIPPED    2  Chromium is not installed" in lines
    assert "SKIPPED    1  no compose" in lines
    assert lines[-1].startswith("3 skipped")
