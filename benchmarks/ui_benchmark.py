"""Benchmark of the web pages with a large mismatch table, through a real ``airflow api-server``.

    POPSYNC_EMBEDDED_PORT=<port> .venv/bin/python benchmarks/ui_benchmark.py --rows 1000000

Fills its own warehouse (``$POPSYNC_HOME``, default ``.popsync/bench-ui``) with ``--rows``
synthetic published mismatches of one dataset (health-insurance cards) with their lifecycle
(a tenth with a verdict) and 30 runs of history,
starts the API server (one worker) with the popsync plugin, then measures over HTTP, each
``--repeats`` times: the overview, the workbench's first and next page (no filter, and filtered),
a search, and a CSV export of every row while sampling the server's resident memory
(``--exports-only``: the CSV and the XLSX export of every row, ``--repeats`` times each). Writes
``benchmarks/results/ui-latest.json`` and ``.md``. Not a test: figures are medians, not limits.
"""

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SECTOR, DATASET = "health_insurance", "cards"
USER, PASSWORD = "bench_admin", "bench-secret"


def _prepare_environment() -> None:
    os.environ.setdefault("POPSYNC_HOME", str(ROOT / ".popsync" / "bench-ui"))
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    from popsync.local.airflow_env import apply_airflow_environment
    from popsync.settings import get_settings

    apply_airflow_environment(get_settings())


def fill(rows: int) -> float:
    """Replace the dataset's published mismatches with ``rows`` synthetic ones; return seconds taken."""
    import psycopg
    from psycopg import sql

    from popsync.db.sql_files import read_sql
    from popsync.domain.provinces import PROVINCE_CODES
    from popsync.settings import WAREHOUSE_DATABASE, get_settings

    started = time.perf_counter()
    logical_date = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    run_id = f"bench__{logical_date:%Y-%m-%d}"
    leaf = sql.Identifier("sync_partitions", "bench_ui_mismatches")
    sector_part = sql.Identifier("sync_partitions", f"mismatches__{SECTOR}")
    with psycopg.connect(get_settings().database_url_for(WAREHOUSE_DATABASE), autocommit=True) as conn:
        for table in ("sector_sync_rate", "province_sync_rate", "published_runs", "mismatch_lifecycle"):
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier("sync", table)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(leaf))
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF sync.mismatches "
                "FOR VALUES IN ({}) PARTITION BY LIST (dataset)"
            ).format(sector_part, sql.Literal(SECTOR))
        )
        for (existing,) in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            (f"mismatches__{SECTOR}",),
        ).fetchall():
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier("sync_partitions", existing)))
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE sync.mismatches INCLUDING DEFAULTS)").format(leaf))
        params = {
            "rows": rows,
            "sector": SECTOR,
            "dataset": DATASET,
            "run_id": run_id,
            "logical_date": logical_date,
            "provinces": list(PROVINCE_CODES),
        }
        conn.execute(sql.SQL(read_sql("benchmark/ui_mismatches.sql")).format(table=leaf), params)
        conn.execute(
            sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                sector_part, leaf, sql.Literal(DATASET)
            )
        )
        conn.execute(sql.SQL("ANALYZE {}").format(leaf))
        conn.execute(read_sql("benchmark/ui_lifecycle.sql"), {"sector": SECTOR, "dataset": DATASET})
        conn.execute("ANALYZE sync.mismatch_lifecycle")
        for sector, dataset, total, mismatched in (
            (SECTOR, DATASET, rows * 6, rows),
            ("education", "pupils", 2_000_000, 150_000),
            ("education", "teachers", 120_000, 9_000),
            ("justice", "birth_registrations", 1_730_000, 180_000),
            ("social_insurance", "participants", 900_000, 110_000),
            ("social_insurance", "pensioners", 400_000, 60_000),
        ):
            history = {
                "sector": sector,
                "dataset": dataset,
                "runs": 30,
                "total": total,
                "mismatched": mismatched,
                "logical_date": logical_date,
                "provinces": list(PROVINCE_CODES),
            }
            conn.execute(read_sql("benchmark/ui_history.sql"), history)
        conn.execute(
            read_sql("benchmark/ui_reason_counts.sql"), {"sector": SECTOR, "dataset": DATASET, "run_id": run_id}
        )
        conn.execute("ANALYZE sync.sector_sync_rate")
        conn.execute("ANALYZE sync.province_sync_rate")
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(work: Path, port: int) -> subprocess.Popen[bytes]:
    from popsync.local.bootstrap import airflow_command

    work.mkdir(parents=True, exist_ok=True)
    (work / "passwords.json").write_text(json.dumps({USER: PASSWORD}))
    env = {
        **os.environ,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:ADMIN",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(work / "passwords.json"),
    }
    log = (work / "api-server.log").open("wb")
    command = [*airflow_command(), "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
    except psutil.Error:
        return 0


def _median_ms(call: Callable[[], Any], repeats: int) -> dict[str, float]:
    call()  # warm-up (connections, caches)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
    }


def _getter(get: Callable[[str], Any], path: str) -> Callable[[], Any]:
    return lambda: get(path)


def measure(base: str, pid: int, repeats: int, rows: int) -> dict[str, Any]:
    import httpx

    client = _client(base)

    def get(path: str) -> httpx.Response:
        response = client.get(path)
        response.raise_for_status()
        return response

    def next_link(path: str) -> str:
        match = re.search(r'id="next-page" href="([^"]+)"', get(path).text)
        assert match, path
        return match.group(1).replace("&amp;", "&")

    results: dict[str, Any] = {}
    results["overview_page"] = _median_ms(lambda: get("/popsync/"), repeats)
    results["overview_json"] = _median_ms(lambda: get("/popsync/api/overview"), repeats)
    for label, path in (
        ("workbench_all", "/popsync/mismatches"),
        ("workbench_sector", f"/popsync/mismatches?sector={SECTOR}&dataset={DATASET}"),
        ("workbench_reason_deceased", f"/popsync/mismatches?sector={SECTOR}&reason=DECEASED"),
        (
            "workbench_province_reason_all",
            "/popsync/mismatches?province=079&reason=DUPLICATE_ID&reason=NAME_MISMATCH&reason_mode=all",
        ),
        ("workbench_verdict", "/popsync/mismatches?verdict=fixing_at_source"),
        ("workbench_reopened", f"/popsync/mismatches?sector={SECTOR}&status=reopened"),
    ):
        second = next_link(path)
        results[f"{label}_first_page"] = _median_ms(_getter(get, path), repeats)
        results[f"{label}_next_page"] = _median_ms(_getter(get, second), repeats)
    deep = "/popsync/mismatches"
    for _ in range(20):
        deep = next_link(deep)
    results["workbench_page_21"] = _median_ms(lambda: get(deep), repeats)
    results["provinces_page"] = _median_ms(lambda: get("/popsync/provinces"), repeats)
    results["reasons_page"] = _median_ms(lambda: get("/popsync/reasons"), repeats)
    target = "079" + "0" * 9
    results["search_by_id"] = _median_ms(
        lambda: client.post("/popsync/mismatches", data={"q": target}).raise_for_status(), repeats
    )

    results["csv_export"] = measure_export(client, pid, "csv", rows)
    client.close()
    return results


def _client(base: str) -> "httpx.Client":
    import httpx

    token = httpx.post(f"{base}/auth/token", json={"username": USER, "password": PASSWORD}, timeout=60).json()[
        "access_token"
    ]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=1800)


def _xlsx_rows(path: Path) -> int:
    """Data rows of the first sheet (the last ``<row r="N">`` less the header), read as a stream."""
    import zipfile

    last = 0
    tail = b""
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            text = tail + chunk
            for match in re.finditer(rb'<row r="(\d+)"', text):
                last = int(match.group(1))
            tail = text[-64:]
    return last - 1


def measure_export(client: "httpx.Client", pid: int, kind: str, rows: int) -> dict[str, Any]:
    """One export of every row (``csv`` or ``xlsx``) while sampling the server's resident memory."""
    import tempfile

    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(_tree_rss(pid))
            time.sleep(0.1)

    before = _tree_rss(pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    size = lines = 0
    with tempfile.NamedTemporaryFile(suffix=f".{kind}") as download:
        with client.stream("GET", f"/popsync/export.{kind}") as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
                if kind == "csv":
                    lines += chunk.count(b"\n")
                else:
                    download.write(chunk)
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        download.flush()
        sent = lines - 1 if kind == "csv" else _xlsx_rows(Path(download.name))
    after = _tree_rss(pid)
    return {
        "rows": sent,
        "expected_rows": rows,
        "bytes": size,
        "seconds": round(elapsed, 1),
        "rows_per_s": round(sent / elapsed),
        "server_rss_before_mb": round(before / 2**20),
        "server_rss_peak_mb": round(max(samples or [after]) / 2**20),
        "server_rss_after_mb": round(after / 2**20),
        "rss_samples": len(samples),
    }


def measure_exports(base: str, pid: int, repeats: int, rows: int) -> dict[str, Any]:
    """Every row exported as CSV and as XLSX, ``repeats`` times each; the medians and every run."""
    client = _client(base)
    results: dict[str, Any] = {}
    for kind in ("csv", "xlsx"):
        runs = [measure_export(client, pid, kind, rows) for _ in range(repeats)]
        results[f"{kind}_export"] = {
            "rows": runs[0]["rows"],
            "expected_rows": rows,
            "bytes": runs[0]["bytes"],
            "seconds": statistics.median(run["seconds"] for run in runs),
            "rows_per_s": round(statistics.median(run["rows_per_s"] for run in runs)),
            "server_rss_before_mb": statistics.median(run["server_rss_before_mb"] for run in runs),
            "server_rss_peak_mb": statistics.median(run["server_rss_peak_mb"] for run in runs),
            "server_rss_after_mb": statistics.median(run["server_rss_after_mb"] for run in runs),
            "runs": runs,
        }
    client.close()
    return results


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Web UI benchmark ({report['rows']:,} mismatches)",
        "",
        f"Measured {report['measured_at']} on {report['machine']} (load average at the start: "
        f"{report.get('load_average', '?')}); medians of {report['repeats']} requests "
        "over HTTP to `airflow api-server` (1 worker), after one warm-up request.",
        "",
        "| request | median ms | min | max |",
        "|---|---:|---:|---:|",
    ]
    for name, value in report["results"].items():
        if "median_ms" in value:
            lines.append(f"| {name} | {value['median_ms']} | {value['min_ms']} | {value['max_ms']} |")
    for kind, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)")):
        figures = report["results"].get(f"{kind}_export")
        if figures is None:
            continue
        runs = len(figures.get("runs", [figures]))
        lines += [
            "",
            f"{label} export of every row{f' (median of {runs} runs)' if runs > 1 else ''}: "
            f"{figures['rows']:,} rows, {figures['bytes'] / 2**20:.0f} MiB in "
            f"{figures['seconds']} s ({figures['rows_per_s']:,} rows/s); server RSS "
            f"{figures['server_rss_before_mb']} MB before, {figures['server_rss_peak_mb']} MB peak, "
            f"{figures['server_rss_after_mb']} MB after.",
        ]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous run")
    parser.add_argument("--port", type=int, default=0, help="API server port (default: a free one)")
    parser.add_argument("--name", default="ui-latest")
    parser.add_argument(
        "--exports-only",
        action="store_true",
        help="measure only the CSV and XLSX exports of every row, --repeats times each (no page requests)",
    )
    args = parser.parse_args(argv)
    load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    _prepare_environment()
    from popsync.local.bootstrap import bootstrap
    from popsync.settings import get_settings

    settings = get_settings()
    bootstrap(settings)
    fill_seconds = 0.0 if args.reuse else fill(args.rows)
    print(f"data ready ({fill_seconds:.0f} s)", flush=True)
    port = args.port or _free_port()
    server = start_server(settings.home / "ui-benchmark", port)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        deadline = time.monotonic() + 300
        while True:
            try:
                httpx.get(f"{base}/api/v2/monitor/health", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the API server did not start") from None
                time.sleep(1)
        if args.exports_only:
            results = measure_exports(base, server.pid, args.repeats, args.rows)
        else:
            results = measure(base, server.pid, args.repeats, args.rows)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    report = {
        "rows": args.rows,
        "repeats": args.repeats,
        "fill_seconds": round(fill_seconds, 1),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": load_average,
        "results": results,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{args.name}.md").write_text(_markdown(report))
    print(_markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
