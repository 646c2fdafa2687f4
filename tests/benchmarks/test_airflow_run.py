"""The scheduler benchmark's readers: the timed steps in a task's result, DuckDB's spill sampler."""

import json
import sys
from datetime import datetime
from pathlib import Path

from popsync.settings import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR))

from benchmarks.airflow_run import SpillSampler, TaskFigures, _busy_seconds, _steps


def test_steps_of_the_plan_and_of_a_bucket() -> None:
    plan_timings = [["count", 0.5], ["extract_normalise", 10.0], ["split", 3.0]]
    plan_value = [{"state": {"plan": {"timings": plan_timings}}, "bucket": b, "result": None} for b in range(2)]
    assert _steps("cards.plan", json.dumps(plan_value)) == {"count": 0.5, "extract_normalise": 10.0, "split": 3.0}
    bucket_result = {"timings": [["classify", 2.0]]}
    bucket_value = {"state": {"plan": {"timings": plan_timings}}, "bucket": 1, "result": bucket_result}
    assert _steps("cards.reconcile", bucket_value) == {"classify": 2.0}  # the bucket's own, not the plan's
    assert _steps("cards.quality_gate", {"plan": None}) is None
    assert _steps("cards.reconcile", None) is None


def test_spill_sampler_keeps_each_sessions_peak_and_the_tasks_running(tmp_path: Path) -> None:
    spill = tmp_path / "duckdb-abc" / "spill"
    spill.mkdir(parents=True)
    (tmp_path / "duckdb-quiet" / "spill").mkdir(parents=True)  # a session that never spilled
    sampler = SpillSampler(tmp_path)
    (spill / "a.block").write_bytes(b"x" * 2**20)
    sampler.sample()
    (spill / "b.block").write_bytes(b"x" * 2**20)
    sampler.sample()
    (spill / "a.block").unlink()
    sampler.sample()
    session = sampler.sessions["duckdb-abc"]
    assert session.peak_bytes == 2 * 2**20
    assert set(sampler.sessions) == {"duckdb-abc"}
    during = TaskFigures("success", 1.0, 0.1, started=session.first.isoformat(), ended=session.last.isoformat())
    before = TaskFigures("success", 1.0, 0.1, started="2000-01-01T00:00:00+00:00", ended="2000-01-01T00:01:00+00:00")
    report = sampler.report({"cards.reconcile[0]": during, "cards.plan": before})
    assert report["spill_peak_total_mb"] == 2.0
    assert [s["sector_tasks_running"] for s in report["spill_sessions"]] == [["cards.reconcile[0]"]]
    assert datetime.fromisoformat(report["spill_sessions"][0]["first_seen"]) == session.first


def test_busy_time_counts_tasks_side_by_side_once() -> None:
    def task(start: str, end: str) -> TaskFigures:
        return TaskFigures(
            "success", 0.0, None, started=f"2026-12-07T08:00:{start}+00:00", ended=f"2026-12-07T08:00:{end}+00:00"
        )

    # a plan, two buckets side by side, a gap, then publish
    tasks = [task("00", "10"), task("11", "20"), task("12", "25"), task("30", "32")]
    assert _busy_seconds(tasks) == 10 + 14 + 2
    assert _busy_seconds([TaskFigures("queued", 0.0, None)]) == 0.0
