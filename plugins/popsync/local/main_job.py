"""``popsync run`` through the scheduler: services up, abandoned runs failed, DAGs triggered and followed."""

import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import TextIO

from popsync.local.job import (
    JobOwner,
    RunProgress,
    fail_abandoned_runs,
    fail_own_active_runs,
    follow,
    trigger_runs,
    wait_for_dags,
)
from popsync.local.services import LocalServices
from popsync.settings import Settings

REFERENCE_DAG = "sync_reference"


@dataclass(frozen=True)
class JobResult:
    runs: dict[str, RunProgress]
    abandoned_failed: int

    @property
    def succeeded(self) -> bool:
        return bool(self.runs) and all(p.succeeded for p in self.runs.values())


class JobInterruptedError(Exception):
    """SIGTERM or Ctrl-C during the job."""


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise JobInterruptedError(signal.Signals(signum).name)


def run_through_scheduler(
    settings: Settings,
    sector_dag_ids: Sequence[str],
    logical_date: datetime,
    out: TextIO = sys.stdout,
    on_triggered: Callable[[list[tuple[str, str]]], None] | None = None,
) -> JobResult:
    """Run ``sync_reference`` then the sector DAGs (in parallel) through a live scheduler."""

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    owner = JobOwner.current()
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    triggered: list[tuple[str, str]] = []
    started = time.perf_counter()
    with LocalServices(settings) as services:
        try:
            services.start_missing()
            if services.reused:
                say(f"using the running Airflow {', '.join(services.reused)}")
            started_names = ", ".join(s.name for s in services.started)
            if started_names:
                say(f"started Airflow {started_names} (logs: {settings.airflow_home / 'logs' / 'services'})")
            scheduler_was_alive = "scheduler" in services.reused
            abandoned = fail_abandoned_runs(services.api, scheduler_alive=scheduler_was_alive)
            for run in abandoned:
                say(f"failed abandoned run {run.dag_id} {run.run_id} ({run.state}; {run.reason})")
            services.wait_healthy(("scheduler", "dag-processor", "triggerer"))
            dag_ids = [REFERENCE_DAG, *sector_dag_ids]
            wait_for_dags(services.api, dag_ids)
            # DAGs a killed job left unpaused would also start on the register's Asset event.
            for dag_id in services.leftover_unpaused:
                if services.api.dag_exists(dag_id):
                    services.api.set_paused(dag_id, True)
            services.unpaused.clear()
            say(f"services ready in {time.perf_counter() - started:.1f} s; UI: {services.api.base_url}")

            def unpause_and_trigger(ids: Sequence[str]) -> list[tuple[str, str]]:
                paused = [d for d in ids if services.api.is_paused(d)]
                services.note_unpaused(paused)
                runs = trigger_runs(services.api, ids, logical_date, owner)
                triggered.extend(runs)
                if on_triggered is not None:
                    on_triggered(runs)
                return runs

            def report(progress: RunProgress) -> None:
                say(progress.line())

            results = follow(services.api, unpause_and_trigger([REFERENCE_DAG]), report)
            if results[REFERENCE_DAG].succeeded and sector_dag_ids:
                results.update(follow(services.api, unpause_and_trigger(sector_dag_ids), report))
            return JobResult(results, len(abandoned))
        except (KeyboardInterrupt, JobInterruptedError):
            failed = fail_own_active_runs(services.api, triggered, note="popsync run was interrupted")
            say(f"\ninterrupted: {failed} run(s) of this job marked failed; stopping the services it started")
            raise
        finally:
            for dag_id in services.unpaused:
                try:
                    services.api.set_paused(dag_id, True)
                except Exception:  # the API server is gone: the next job pauses them (record)
                    break
            else:
                services.unpaused.clear()
            signal.signal(signal.SIGTERM, previous)
