"""DuckDB's memory limit: an explicit setting, or the task budget's share left for DuckDB."""

import duckdb
import pytest

from popsync.db.duck import configured_threads, duckdb_session, memory_limit_mb
from popsync.settings import MIN_DUCKDB_MB, OUTSIDE_DUCKDB_MB


def test_the_share_is_the_budget_less_what_the_process_holds_and_will_hold_beside_duckdb() -> None:
    assert memory_limit_mb(1000, 337.0) == 1000 - 337 - OUTSIDE_DUCKDB_MB
    assert memory_limit_mb(2000, 337.0) == 2000 - 337 - OUTSIDE_DUCKDB_MB


def test_a_process_already_near_its_budget_still_gets_the_floor() -> None:
    assert memory_limit_mb(1000, 900.0) == MIN_DUCKDB_MB


def _limit_bytes(duck: object) -> int:
    row = duck.execute("SELECT current_setting('memory_limit')").fetchone()  # type: ignore[attr-defined]
    value, unit = str(row[0]).split()
    scale = {"KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "KB": 1000, "MB": 1000**2, "GB": 1000**3}[unit]
    return int(float(value) * scale)


def test_a_task_session_takes_its_share_of_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POPSYNC_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setenv("POPSYNC_TASK_MEMORY_MB", "4000")
    with duckdb_session() as duck:
        limit = _limit_bytes(duck)
    # the share depends on what this test process holds; it is below the budget less the outside part
    assert MIN_DUCKDB_MB * 1_000_000 * 0.99 <= limit <= (4000 - OUTSIDE_DUCKDB_MB) * 1_000_000


def test_an_explicit_limit_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPSYNC_DUCKDB_MEMORY_LIMIT", "300MB")
    with duckdb_session() as duck:
        assert abs(_limit_bytes(duck) - 300 * 1000**2) < 2 * 1024**2


def test_an_offline_session_keeps_the_offline_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POPSYNC_DUCKDB_MEMORY_LIMIT", raising=False)
    with duckdb_session(task=False) as duck:
        assert abs(_limit_bytes(duck) - 672 * 1000**2) < 2 * 1024**2


def test_a_process_that_runs_tasks_itself_keeps_the_offline_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from popsync.db import duck

    monkeypatch.delenv("POPSYNC_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setattr(duck, "_outside_tasks", False)
    duck.run_outside_tasks()
    with duckdb_session() as session:
        assert abs(_limit_bytes(session) - 672 * 1000**2) < 2 * 1024**2


def test_a_small_share_runs_fewer_threads() -> None:
    from popsync.db.duck import threads_for
    from popsync.settings import DUCKDB_MB_PER_THREAD

    assert threads_for(306, 2) == 1  # a 10M bucket ran out of memory here with 2 threads
    assert threads_for(MIN_DUCKDB_MB, 4) == 1
    assert threads_for(2 * DUCKDB_MB_PER_THREAD, 2) == 2
    assert threads_for(672, 8) == 672 // DUCKDB_MB_PER_THREAD
    assert threads_for(4000, 2) == 2  # never more than configured
    assert threads_for(None, 3) == 3  # an explicit limit keeps the configured threads


def _threads(duck: object) -> int:
    row = duck.execute("SELECT current_setting('threads')").fetchone()  # type: ignore[attr-defined]
    return int(row[0])


def test_a_task_session_near_its_budget_runs_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POPSYNC_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setenv("POPSYNC_DUCKDB_THREADS", "2")
    monkeypatch.setenv("POPSYNC_TASK_MEMORY_MB", str(MIN_DUCKDB_MB + OUTSIDE_DUCKDB_MB))
    with duckdb_session() as duck:
        assert _threads(duck) == 1


def test_an_explicit_limit_keeps_the_configured_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPSYNC_DUCKDB_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("POPSYNC_DUCKDB_THREADS", "2")
    with duckdb_session() as duck:
        assert _threads(duck) == 2


def test_a_statement_may_run_the_configured_threads_and_the_session_gets_its_own_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``configured_threads`` (the plan's split) runs with POPSYNC_DUCKDB_THREADS, then restores
    the one thread a task's small share gives, also when the statement fails."""
    monkeypatch.delenv("POPSYNC_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.setenv("POPSYNC_DUCKDB_THREADS", "2")
    monkeypatch.setenv("POPSYNC_TASK_MEMORY_MB", str(MIN_DUCKDB_MB + OUTSIDE_DUCKDB_MB))
    with duckdb_session() as duck:
        with configured_threads(duck):
            assert _threads(duck) == 2
        assert _threads(duck) == 1
        with pytest.raises(duckdb.Error), configured_threads(duck):
            duck.execute("SELECT * FROM no_such_table")
        assert _threads(duck) == 1
