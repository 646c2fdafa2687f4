"""Checks for the compose stack (``scripts/stack.sh test``), run inside a container of the stack.

``run``: trigger ``sync_reference`` then every sector DAG through the scheduler; all must succeed
and the tasks of at least one run must have landed on more than one Celery worker.
``anonymous``: every route of Airflow's API and popsync's pages, JSON, exports and Data Docs,
requested without a login, must answer 401/403 or a redirect to the login page.
``sector-user``: logged in as a user granted one sector (``POPSYNC_API_USER`` /
``POPSYNC_API_PASSWORD``, ``--sector``), popsync's JSON, exports and Data Docs show that sector
only, every other sector answers 403, and Airflow's API lets a viewer read but not trigger.
``kill-worker``: trigger a sector DAG again (``--sectors``, default education), print
``KILL <worker>`` as soon as a ``reconcile`` task runs on a worker (``stack.sh`` kills that
container), then wait: every run must still succeed, the killed task through a retry.
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from popsync.local.api_client import AirflowApi, TaskInstanceInfo
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


@dataclass(frozen=True)
class SectorCheck:
    what: str
    ok: bool
    seen: str

    def line(self) -> str:
        return f"  {'ok    ' if self.ok else 'FAILED'}  {self.what}: {self.seen}"


def probe_sector_user(base_url: str, token: str, sector: str, others: list[str]) -> list[SectorCheck]:
    """What a user granted only ``sector`` sees through popsync's routes and Airflow's API."""
    checks: list[SectorCheck] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, cookies={"_token": token}, timeout=60.0) as client:
        overview = client.get("/popsync/api/overview")
        sectors = sorted({row["sector"] for row in overview.json()["rollup"]}) if overview.status_code == 200 else []
        checks.append(
            SectorCheck("GET /popsync/api/overview sectors", sectors == [sector], f"{overview.status_code} {sectors}")
        )
        rows = client.get("/popsync/api/mismatches")
        seen = sorted({row["sector"] for row in rows.json()["rows"]}) if rows.status_code == 200 else []
        checks.append(
            SectorCheck(
                "GET /popsync/api/mismatches sectors",
                rows.status_code == 200 and seen in ([sector], []),
                f"{rows.status_code} {seen}",
            )
        )
        own = client.get("/popsync/export.csv", params={"sector": sector})
        checks.append(
            SectorCheck(f"GET /popsync/export.csv?sector={sector}", own.status_code == 200, str(own.status_code))
        )
        for other in others:
            for path in ("/popsync/api/mismatches", "/popsync/export.csv", "/popsync/mismatches"):
                answer = client.get(path, params={"sector": other})
                checks.append(
                    SectorCheck(f"GET {path}?sector={other}", answer.status_code == 403, str(answer.status_code))
                )
        index = client.get("/popsync/data-docs/")
        listed = [other for other in others if f"/{other}/" in index.text]
        checks.append(
            SectorCheck(
                "GET /popsync/data-docs/ lists no other sector",
                index.status_code == 200 and not listed,
                f"{index.status_code} {listed}",
            )
        )
    dags = httpx.get(f"{base_url}/api/v2/dags", headers=headers, timeout=30.0)
    checks.append(SectorCheck("GET /api/v2/dags (a viewer reads)", dags.status_code == 200, str(dags.status_code)))
    trigger = httpx.post(
        f"{base_url}/api/v2/dags/sync_reference/dagRuns", headers=headers, json={"logical_date": None}, timeout=30.0
    )
    checks.append(
        SectorCheck(
            "POST /api/v2/dags/sync_reference/dagRuns (may not trigger)",
            trigger.status_code == 403,
            str(trigger.status_code),
        )
    )
    return checks


def check_sector_user(base_url: str, sector: str) -> int:
    api = AirflowApi(base_url)
    if api.credentials is None:
        _say("FAILED: set POPSYNC_API_USER and POPSYNC_API_PASSWORD to the sector user")
        return 1
    others = [s.sector for s in load_sectors() if s.sector != sector]
    _say(f"logged in as {api.credentials.username} (granted: {sector})")
    checks = probe_sector_user(base_url, api.token(), sector, others)
    for check in checks:
        _say(check.line())
    failed = [c.what for c in checks if not c.ok]
    if failed:
        _say(f"FAILED: {', '.join(failed)}")
        return 1
    _say(f"OK: {api.credentials.username} sees {sector} only ({len(checks)} checks)")
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


def _reconcile_tasks(api: AirflowApi, dag_id: str, run_id: str) -> list[TaskInstanceInfo]:
    """The run's reconcile task instances: one per bucket when the dataset is split (mapped)."""
    tasks = [ti for ti in api.task_instances(dag_id, run_id) if ti.task_id.endswith(".reconcile")]
    return sorted(tasks, key=lambda ti: (ti.task_id, ti.map_index))


def _placement(api: AirflowApi, dag_id: str, run_id: str) -> dict[str, dict[str, str]]:
    """Per reconcile task: bucket label -> the worker of its (last) try."""
    placement: dict[str, dict[str, str]] = defaultdict(dict)
    for ti in _reconcile_tasks(api, dag_id, run_id):
        bucket = ti.rendered_map_index or (f"bucket {ti.map_index}" if ti.map_index >= 0 else "unsplit")
        placement[ti.task_id][bucket] = ti.hostname or "?"
    return dict(placement)


def _say_placement(placement: dict[str, dict[str, str]]) -> None:
    for task_id, buckets in placement.items():
        workers = sorted(set(buckets.values()))
        _say(f"  {task_id}: {len(buckets)} bucket(s) on {', '.join(workers)}")
        for bucket, host in buckets.items():
            _say(f"    {bucket:<12} ran on {host}")


def check_buckets(api: AirflowApi, sector: str, expect_workers: int) -> int:
    """One sector DAG whose datasets are split into buckets: the buckets of one dataset on N workers."""
    started = time.monotonic()
    runs, results = _trigger(api, [sector], reference=False)
    results.update(follow(api, runs, _report, timeout=1800))
    _say(f"run finished in {time.monotonic() - started:.0f} s; where each bucket ran (hostname per mapped task):")
    dag_id, run_id = runs[0]
    placement = _placement(api, dag_id, run_id)
    _say_placement(placement)
    if not results[dag_id].succeeded:
        _say(f"FAILED: {dag_id} {results[dag_id].state}")
        return 1
    split = {task: buckets for task, buckets in placement.items() if len(buckets) > 1}
    if not split:
        _say("FAILED: no dataset was split into buckets (set POPSYNC_ROWS_PER_BUCKET or buckets: in the sector YAML)")
        return 1
    spread = [task for task, buckets in split.items() if len(set(buckets.values())) >= expect_workers]
    if not spread:
        _say(f"FAILED: no dataset had its buckets on {expect_workers} workers")
        return 1
    _say(f"OK: {', '.join(spread)}: one dataset's buckets ran on {expect_workers}+ workers")
    return 0


def _find_running_reconcile(
    api: AirflowApi, runs: list[tuple[str, str]], deadline: float
) -> tuple[str, str, TaskInstanceInfo] | None:
    """The first reconcile task (a bucket, when split) seen running on a known worker."""
    while time.monotonic() < deadline:
        for dag_id, run_id in runs:
            for ti in _reconcile_tasks(api, dag_id, run_id):
                if ti.state == "running" and ti.hostname:
                    return dag_id, run_id, ti
        time.sleep(0.25)
    return None


def _seconds_after(moment: datetime, stamp: str | None) -> str:
    if not stamp:
        return "?"
    return f"{(datetime.fromisoformat(stamp.replace('Z', '+00:00')) - moment).total_seconds():.1f} s"


def check_kill_worker(api: AirflowApi, sectors: list[str]) -> int:
    """Kill the worker of a running reconcile task (``KILL <worker>`` for stack.sh); the retry must succeed."""
    started = time.monotonic()
    runs, results = _trigger(api, sectors, reference=False)
    found = _find_running_reconcile(api, runs, started + 900)
    if found is None:
        _say("FAILED: no reconcile task started")
        return 1
    dag_id, run_id, victim = found
    timeout = os.environ.get("AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT", "?")
    _say(f"{victim.label} of {dag_id} runs on {victim.hostname} (try {victim.try_number}): killing that worker")
    killed_at = datetime.now(UTC)
    _say(f"KILL {victim.hostname}")
    results.update(follow(api, runs, _report, timeout=1800))
    _say(f"all runs finished in {time.monotonic() - started:.0f} s")
    tries = api.task_tries(dag_id, run_id, victim.task_id, victim.map_index)
    for t in tries:
        began, ended = _seconds_after(killed_at, t.start_date), _seconds_after(killed_at, t.end_date)
        _say(
            f"  {victim.label} try {t.try_number}: {t.state} on {t.hostname},"
            f" started {began}, ended {ended} after the kill"
        )
    first = next((t for t in tries if t.try_number == victim.try_number), None)
    retry = next((t for t in tries if t.try_number > victim.try_number), None)
    if first is not None and retry is not None:
        failed_after, retried_after = (
            _seconds_after(killed_at, first.end_date),
            _seconds_after(killed_at, retry.start_date),
        )
        _say(
            f"RETRY heartbeat timeout {timeout} s: the killed try failed {failed_after} after the kill,"
            f" its retry started {retried_after} after it, on {retry.hostname}"
        )
    _say_placement(_placement(api, dag_id, run_id))
    failed = [p.dag_id for p in results.values() if not p.succeeded]
    if failed:
        _say(f"FAILED runs: {', '.join(failed)}")
        return 1
    if retry is None or retry.state != "success":
        _say("FAILED: the killed task was not retried (did it finish before the kill landed?)")
        return 1
    _say("OK: the run completed through a retry after its worker was killed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m popsync.local.stack_check", description=__doc__)
    parser.add_argument("check", choices=["anonymous", "sector-user", "run", "buckets", "kill-worker"])
    parser.add_argument("--api", required=True, help="API server URL, e.g. http://127.0.0.1:8286")
    parser.add_argument("--expect-workers", type=int, default=2)
    parser.add_argument("--sectors", default="education", help="kill-worker: sectors to run (comma-separated)")
    parser.add_argument(
        "--sector", default="health_insurance", help="sector-user: the one sector granted; buckets: the sector to run"
    )
    args = parser.parse_args(argv)
    if args.check == "anonymous":
        return check_anonymous(args.api)
    if args.check == "sector-user":
        return check_sector_user(args.api, args.sector)
    api = AirflowApi(args.api)
    try:
        if args.check == "run":
            return check_run(api, args.expect_workers)
        if args.check == "buckets":
            return check_buckets(api, args.sector, args.expect_workers)
        return check_kill_worker(api, args.sectors.split(","))
    finally:
        api.close()


if __name__ == "__main__":
    sys.exit(main())
