"""Checks for the compose stack (``scripts/stack.sh test``), run inside a container of the stack.

``run``: trigger ``sync_reference`` then every sector DAG through the scheduler; all must succeed
and the tasks of at least one run must have landed on more than one Celery worker.
``anonymous``: every route of Airflow's API and popsync's pages, JSON, exports and Data Docs,
requested without a login, must answer 401/403 or a redirect to the login page.
``kill-worker``: trigger a sector DAG again (``--sectors``, default education), print
``KILL <worker>`` as soon as a ``reconcile`` task runs on a worker (``stack.sh`` kills that
container), then wait: every run must still succeed, the killed task through a retry.
"""

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from popsync.local.api_client import AirflowApi
from popsync.local.job import JobOwner, RunProgress, follow, trigger_runs, wait_for_dags
from popsync.sectors import load_sectors


def _say(text: str) -> None:
    print(text, flush=True)


def _report(progress: RunProgress) -> None:
    _say(progress.line())


ANONYMOUS_PROBES: tuple[tuple[str, str], ...] = (
    ("GET", "/api/v2/dags"),
    ("GET", "/api/v2/dags/~/dagRuns"),
    ("GET", "/auth/token"),  # the all-admins token: refused unless the local single-user mode
    ("GET", "/popsync/"),
    ("GET", "/popsync/provinces"),
    ("GET", "/popsync/reasons"),
    ("GET", "/popsync/deaths"),
    ("GET", "/popsync/mismatches"),
    ("POST", "/popsync/mismatches"),
    ("GET", "/popsync/record?ref=x"),
    ("POST", "/popsync/record/verdict"),
    ("GET", "/popsync/api/overview"),
    ("GET", "/popsync/api/provinces"),
    ("GET", "/popsync/api/reasons"),
    ("GET", "/popsync/api/mismatches"),
    ("POST", "/popsync/api/mismatches/search"),
    ("GET", "/popsync/api/record?ref=x"),
    ("GET", "/popsync/api/verdicts"),
    ("POST", "/popsync/api/verdicts"),
    ("GET", "/popsync/export.csv"),
    ("GET", "/popsync/export.xlsx"),
    ("POST", "/popsync/export.csv"),
    ("POST", "/popsync/export.xlsx"),
    ("GET", "/popsync/data-docs/"),
    ("GET", "/popsync/data-docs/expectations/health_insurance/cards.html"),
)
"""Requests a visitor without a login makes: each must be refused."""


@dataclass(frozen=True)
class AnonymousProbe:
    method: str
    path: str
    status: int
    location: str

    @property
    def refused(self) -> bool:
        """401/403, or a redirect to the login page; never the data (2xx) or a server error."""
        if self.status in (401, 403):
            return True
        return self.status in (302, 303, 307) and "login" in self.location

    def line(self) -> str:
        where = f" -> {self.location}" if self.location else ""
        return f"  {'refused' if self.refused else 'OPEN   '}  {self.status}  {self.method:<4} {self.path}{where}"


def probe_anonymous(base_url: str, probes: tuple[tuple[str, str], ...] = ANONYMOUS_PROBES) -> list[AnonymousProbe]:
    """Each probe without credentials (no cookie, no header), as a browser (HTML) would ask."""
    results = []
    with httpx.Client(base_url=base_url, timeout=30.0, follow_redirects=False) as client:
        for method, path in probes:
            response = client.request(method, path, headers={"Accept": "text/html,application/json"})
            results.append(AnonymousProbe(method, path, response.status_code, response.headers.get("location", "")))
    return results


def check_anonymous(base_url: str) -> int:
    results = probe_anonymous(base_url)
    for result in results:
        _say(result.line())
    open_routes = [f"{r.method} {r.path}" for r in results if not r.refused]
    if open_routes:
        _say(f"FAILED: answered without a login: {', '.join(open_routes)}")
        return 1
    _say(f"OK: all {len(results)} anonymous requests refused (401/403 or a redirect to the login page)")
    return 0


def _workers_by_run(api: AirflowApi, runs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {}
    for dag_id, run_id in runs:
        counts: dict[str, int] = defaultdict(int)
        for ti in api.task_instances(dag_id, run_id):
            counts[ti.hostname or "?"] += 1
        result[dag_id] = dict(counts)
    return result


def _trigger(
    api: AirflowApi, sectors: list[str] | None, *, reference: bool = True
) -> tuple[list[tuple[str, str]], dict[str, RunProgress]]:
    sector_dags = [s.dag_id for s in load_sectors() if sectors is None or s.sector in sectors]
    wait_for_dags(api, ["sync_reference", *sector_dags])
    owner = JobOwner.current()
    logical_date = datetime.now(UTC).replace(microsecond=0)
    results: dict[str, RunProgress] = {}
    if reference:
        results = follow(api, trigger_runs(api, ["sync_reference"], logical_date, owner), _report, timeout=900)
    runs = trigger_runs(api, sector_dags, logical_date, owner)
    return runs, results


def check_run(api: AirflowApi, expect_workers: int) -> int:
    started = time.monotonic()
    runs, results = _trigger(api, None)
    results.update(follow(api, runs, _report, timeout=1800))
    _say(f"all runs finished in {time.monotonic() - started:.0f} s")
    failed = [p.dag_id for p in results.values() if not p.succeeded]
    workers = _workers_by_run(api, runs)
    spread = [dag_id for dag_id, counts in workers.items() if len(counts) >= expect_workers]
    for dag_id, counts in workers.items():
        _say(f"  {dag_id:<28} tasks per worker: {', '.join(f'{h}={n}' for h, n in sorted(counts.items()))}")
    all_workers = sorted({h for counts in workers.values() for h in counts})
    _say(f"workers used: {', '.join(all_workers)}; runs spread over {expect_workers}+ workers: {len(spread)}")
    if failed:
        _say(f"FAILED runs: {', '.join(failed)}")
        return 1
    if not spread:
        _say(f"FAILED: no run had its tasks on {expect_workers} workers")
        return 1
    _say("OK: every DAG succeeded; tasks of one run landed on more than one worker")
    return 0


def check_kill_worker(api: AirflowApi, sectors: list[str]) -> int:
    started = time.monotonic()
    runs, results = _trigger(api, sectors, reference=False)
    victim: tuple[str, str, str] | None = None
    while victim is None:
        for dag_id, run_id in runs:
            for ti in api.task_instances(dag_id, run_id):
                if ti.state == "running" and ti.task_id.endswith(".reconcile") and ti.hostname:
                    victim = (ti.hostname, dag_id, ti.task_id)
                    break
            if victim:
                break
        if victim is None:
            if time.monotonic() - started > 900:
                _say("FAILED: no reconcile task started")
                return 1
            time.sleep(0.25)
    hostname, dag_id, task_id = victim
    _say(f"{task_id} of {dag_id} runs on {hostname}: killing that worker")
    _say(f"KILL {hostname}")
    results.update(follow(api, runs, _report, timeout=1800))
    _say(f"all runs finished in {time.monotonic() - started:.0f} s")
    run_id = dict(runs)[dag_id]
    tries = [t for t in api.task_instances(dag_id, run_id) if t.task_id == task_id]
    failed = [p.dag_id for p in results.values() if not p.succeeded]
    if tries:
        _say(f"  {dag_id}.{task_id}: state {tries[0].state}, try {tries[0].try_number}, on {tries[0].hostname}")
    if failed:
        _say(f"FAILED runs: {', '.join(failed)}")
        return 1
    if not tries or tries[0].try_number < 2:
        _say("FAILED: the killed task was not retried")
        return 1
    _say("OK: the run completed through a retry after its worker was killed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m popsync.local.stack_check", description=__doc__)
    parser.add_argument("check", choices=["anonymous", "run", "kill-worker"])
    parser.add_argument("--api", required=True, help="API server URL, e.g. http://127.0.0.1:8286")
    parser.add_argument("--expect-workers", type=int, default=2)
    parser.add_argument("--sectors", default="education", help="kill-worker: sectors to run (comma-separated)")
    args = parser.parse_args(argv)
    if args.check == "anonymous":
        return check_anonymous(args.api)
    api = AirflowApi(args.api)
    try:
        if args.check == "run":
            return check_run(api, args.expect_workers)
        return check_kill_worker(api, args.sectors.split(","))
    finally:
        api.close()


if __name__ == "__main__":
    sys.exit(main())
