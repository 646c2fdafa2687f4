"""The benchmark harness keeps working: a tiny interleaved run of all four tools.

Timings are recorded, never asserted; this checks that every tool runs on the same data
and that the report has what docs/performance.md quotes.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from popsync.db.embedded import EmbeddedPostgres
from popsync.settings import PROJECT_DIR, Settings

BENCH_PORT = int(os.environ.get("POPSYNC_TEST_BENCH_PORT", str(int(os.environ["POPSYNC_EMBEDDED_PORT"]) + 1)))


@pytest.mark.integration
@pytest.mark.skipif(bool(os.environ.get("POPSYNC_DATABASE_URL")), reason="uses its own embedded server")
def test_tiny_benchmark_runs_every_tool(settings: Settings, tmp_path: Path) -> None:
    home = settings.home / "bench"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW_CONN_", "AIRFLOW__", "AIRFLOW_HOME"))
    }
    env.update({"POPSYNC_HOME": str(home), "POPSYNC_EMBEDDED_PORT": str(BENCH_PORT)})
    name = "ci-tiny"
    try:
        completed = subprocess.run(
            [sys.executable, str(PROJECT_DIR / "benchmarks" / "run_benchmark.py"), "--sizes", "3K:3K",
             "--repeats", "1", "--name", name, "--results-dir", str(tmp_path)],
            env=env, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stderr[-4000:]
        # The harness stops the server it started: the next benchmark (another clone) gets the port.
        assert not EmbeddedPostgres(home / "pgdata", BENCH_PORT).is_running()
        with socket.socket() as probe:  # bound as a server binds it (connections may linger in TIME_WAIT)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", BENCH_PORT))
            probe.listen()
    finally:
        EmbeddedPostgres(home / "pgdata", BENCH_PORT).stop()
    report = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    [size] = report["sizes"]
    assert set(size["tools"]) == {"popsync", "pandas", "datacompy", "sql"}
    sector_rows = {tool: summary["rows_sector"] for tool, summary in size["tools"].items()}
    assert len(set(sector_rows.values())) == 1 and sector_rows["popsync"] > 1000
    stages = size["tools"]["popsync"]["median_stage_seconds"]
    assert {"reconcile", "reconcile.extract_normalise", "reconcile.classify", "quality_gate", "publish"} <= set(stages)
    for summary in size["tools"].values():
        assert summary["median_seconds"] > 0 and summary["peak_rss_mb"] > 0 and summary["peak_vmhwm_mb"] > 0
    table = (tmp_path / f"{name}.md").read_text(encoding="utf-8")
    assert "| 3K:3K | datacompy |" in table and "popsync stages" in table
