"""Benchmark popsync against its peers (pandas, datacompy, hand-written SQL), interleaved in one run.

    bash scripts/benchmark.sh --curve --repeats 3 --name curve          # the scaling curve
    bash scripts/benchmark.sh --sizes 1M:1M,2M:10M=popsync+datacompy --repeats 3

For each size (sector records : register persons; ``=tool+tool`` picks that size's tools,
otherwise ``--tools``) it generates data with the project's generator, mirrors the register,
then runs each tool ``--repeats`` times, interleaved, each in its own process. It records wall
time per stage, rows per second, each process's peak resident memory (VmHWM) and the
PostgreSQL server's peak memory (sampled PSS of its processes), and writes
``benchmarks/results/<name>.json`` and ``.md``.

``--curve`` measures 1M:1M, 4M:4M and 10M:10M (popsync and the SQL peer; datacompy at 1M:1M)
and 2M:10M side by side with datacompy, then fits the curve of the equal-size runs and projects
a 100M:100M run on this machine class and on N workers (see :func:`projection`).
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PEERS_PYTHON = ROOT / "benchmarks" / "peers" / ".venv" / "bin" / "python"
CARD_SHARE = 0.85  # health-insurance cards per person at coverage 1.0 (generator default)


CURVE_SIZES = "1M:1M=popsync+datacompy+sql,4M:4M=popsync+sql,10M:10M=popsync+sql,2M:10M=popsync+datacompy+sql"
PROJECT_TO = 100_000_000
PROJECT_WORKERS = (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class Size:
    label: str
    sector_rows: int
    register_rows: int
    tools: tuple[str, ...] = ()
    """The tools to run at this size; empty: the command's ``--tools``."""


def parse_size(text: str) -> Size:
    def number(part: str) -> int:
        part = part.strip().upper()
        scale = {"K": 1_000, "M": 1_000_000}.get(part[-1], 1)
        return int(float(part[:-1] if part[-1] in "KM" else part) * scale)

    label, _, tools = text.partition("=")
    sector, register = label.split(":")
    return Size(label, number(sector), number(register), tuple(tool for tool in tools.split("+") if tool))


class PostgresMemorySampler:
    """Peak of the summed PSS of the PostgreSQL server's processes, sampled every 0.5 s.

    Reads ``/proc/<pid>/smaps_rollup`` (cheap) so that sampling does not slow the run down.
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PostgresMemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _postgres_pids() -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if (entry / "comm").read_text().strip() == "postgres":
                        pids.append(int(entry.name))
                except OSError:
                    continue
        return pids

    @staticmethod
    def _pss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            total_kb = sum(self._pss_kb(pid) for pid in self._postgres_pids())
            self.peak_mb = max(self.peak_mb, total_kb / 1024)
            self._stop.wait(0.5)


def run_tool(tool: str, env: dict[str, str], urls: dict[str, str]) -> dict[str, Any]:
    """Run one tool in its own process; return its JSON result plus server memory and wall time."""
    if tool == "popsync":
        command = [sys.executable, str(ROOT / "benchmarks" / "popsync_run.py")]
    else:
        command = [
            str(PEERS_PYTHON),
            str(ROOT / "benchmarks" / "peers" / f"compare_{tool}.py"),
            "--register-url", urls["register"],
            "--source-url", urls["source"],
            "--warehouse-url", urls["warehouse"],
            "--output-table", f"bench_peers.{tool}_mismatches",
        ]  # fmt: skip
    with PostgresMemorySampler() as sampler:
        started = time.perf_counter()
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{tool} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    result["postgres_peak_pss_mb"] = sampler.peak_mb
    return result


def reset_published_results() -> None:
    """Start each size from an empty contract: the quality gate compares row counts with the last run."""
    from popsync.db.connections import connect
    from popsync.pipeline.warehouse import ensure_warehouse_schema

    with connect("popsync_warehouse", autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS sync CASCADE")
        conn.execute("DROP SCHEMA IF EXISTS sync_partitions CASCADE")
    ensure_warehouse_schema()


def prepare(size: Size, seed: int, *, generate_data: bool = True) -> dict[str, Any]:
    """Generate the data for one size and mirror the register; return what it cost."""
    from popsync.db.databases import ensure_database, ensure_server
    from popsync.generate import GenerateOptions, generate
    from popsync.reference.mirror import sync_reference
    from popsync.settings import WAREHOUSE_DATABASE, get_settings

    settings = get_settings()
    server = ensure_server(settings)
    ensure_database(settings, WAREHOUSE_DATABASE)
    coverage = min(1.0, size.sector_rows / (size.register_rows * CARD_SHARE))
    options = GenerateOptions(
        persons=size.register_rows,
        seed=seed,
        sectors=("health_insurance",),
        coverage={"health_insurance.cards": coverage / 1.0},
        replace=True,
    )
    started = time.perf_counter()
    if generate_data:
        generate(options, server)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    from popsync.db.connections import connect

    with connect("popsync_warehouse", autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS reference CASCADE")
    from popsync.pipeline.warehouse import ensure_warehouse_schema

    ensure_warehouse_schema()
    mirror = sync_reference()
    reset_published_results()
    return {
        "generate_seconds": generated,
        "mirror_seconds": time.perf_counter() - started,
        "register": mirror.row_count,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over repeated runs of one tool at one size."""

    def median(values: list[float]) -> float:
        return statistics.median(values)

    stages = sorted({stage for run in runs for stage in run["seconds"]})
    total_key = "pipeline_with_gate" if runs[0]["tool"] == "popsync" else "total"
    total = median([run["seconds"][total_key] for run in runs])
    return {
        "runs": len(runs),
        "rows_sector": runs[0]["rows_sector"],
        "median_seconds": total,
        "all_seconds": [run["seconds"][total_key] for run in runs],
        "rows_per_second": runs[0]["rows_sector"] / total if total else None,
        "median_stage_seconds": {stage: median([run["seconds"].get(stage, 0.0) for run in runs]) for stage in stages},
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "peak_vmhwm_mb": max(run.get("vmhwm_mb", run["peak_rss_mb"]) for run in runs),
        "postgres_peak_pss_mb": max(run["postgres_peak_pss_mb"] for run in runs),
        "median_wall_seconds": median([run["wall_seconds"] for run in runs]),
        "median_cpu_seconds": median([run.get("cpu_seconds", 0.0) for run in runs]),
    }


def machine() -> dict[str, Any]:
    import psutil

    return {
        "name": platform.node(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


STAGE_COLUMNS = (
    ("setup", "reconcile.setup"),
    ("extract+normalise", "reconcile.extract_normalise"),
    ("profile", "reconcile.profile"),
    ("plan split", "reconcile.split"),
    ("register", "reconcile.load_register"),
    ("classify", "reconcile.classify"),
    ("suggestions", "reconcile.suggestions"),
    ("write", "reconcile.write_results"),
    ("metrics", "reconcile.metrics"),
    ("gate", "quality_gate"),
    ("publish", "publish"),
    ("history", "publish_metrics"),
)


def _fit_power(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least squares of log y = log a + b log x; None with fewer than two distinct sizes."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    if len(set(xs)) < 2:
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)
    return math.exp(mean_y - b * mean_x), b


def _fit_line(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least squares of y = c + d x; None with fewer than two distinct sizes."""
    xs = [x for x, _ in points]
    if len(set(xs)) < 2:
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(y for _, y in points)
    d = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x in xs)
    return mean_y - d * mean_x, d


def projection(report: dict[str, Any]) -> dict[str, Any]:
    """The scaling curve of the equal-size runs (sector = register) and a 100M:100M projection.

    Model, per tool: time t(n) = a·n^b fitted by least squares on log-log over the measured
    sizes n (sector records); peak memory of the task process m(n) = c + d·n fitted linearly.
    On this machine class a 100M:100M run takes t(100M) and needs m(100M). On N workers of
    this class, with the dataset split into N buckets of n/N records that run at once (the
    partitioned runs), the run takes t(100M/N) and each worker needs m(100M/N); coordination
    (scheduling, one atomic publish) is not in the model. An extrapolation far beyond the
    measured sizes: the exponent b says how far the curve is from linear.
    """
    curve: dict[str, Any] = {}
    for tool in sorted({tool for size in report["sizes"] for tool in size["tools"]}):
        measured = [
            (float(size["tools"][tool]["rows_sector"]), size["tools"][tool])
            for size in report["sizes"]
            if tool in size["tools"] and size["sector_rows"] == size["register_rows"]
        ]
        times = [(n, float(summary["median_seconds"])) for n, summary in measured if summary["median_seconds"] > 0]
        memory = [(n, float(summary.get("peak_vmhwm_mb", summary["peak_rss_mb"]))) for n, summary in measured]
        power, line = _fit_power(times), _fit_line(memory)
        if power is None or line is None:
            continue
        (a, b), (c, d) = power, line
        curve[tool] = {
            "points": [{"rows": n, "seconds": t} for n, t in times],
            "time_model": {"a": a, "b": b, "formula": "seconds = a * rows ** b"},
            "memory_model": {"c": c, "d": d, "formula": "peak_mb = c + d * rows"},
            "projection": [
                {
                    "workers": workers,
                    "rows_per_worker": PROJECT_TO / workers,
                    "seconds": a * (PROJECT_TO / workers) ** b,
                    "peak_mb_per_worker": c + d * (PROJECT_TO / workers),
                }
                for workers in PROJECT_WORKERS
            ],
        }
    return curve


def curve_markdown(curve: dict[str, Any]) -> list[str]:
    if not curve:
        return []
    lines = [
        "",
        "Scaling curve (sizes with sector = register) and projection to 100M:100M. Model per tool: "
        "seconds = a·rows^b (least squares, log-log), task-process peak memory = c + d·rows (least squares); "
        "N workers = the dataset in N buckets of 100M/N records run at once, each on a worker of this machine "
        "class, so t(100M/N) and m(100M/N); scheduling and the one atomic publish are not in the model.",
        "",
        "| tool | measured (rows → s) | b (1 = linear) | 100M on 1 worker | peak MB | "
        + " | ".join(f"{w} workers" for w in PROJECT_WORKERS[1:])
        + " |",
        "|---|---|---:|---:|---:|" + "---:|" * (len(PROJECT_WORKERS) - 1),
    ]
    for tool, fit in curve.items():
        points = ", ".join(f"{p['rows'] / 1e6:g}M → {p['seconds']:.1f}" for p in fit["points"])
        one, *more = fit["projection"]
        cells = " | ".join(f"{p['seconds']:.0f} s ({p['peak_mb_per_worker']:.0f} MB)" for p in more)
        lines.append(
            f"| {tool} | {points} | {fit['time_model']['b']:.2f} | {one['seconds']:.0f} s | "
            f"{one['peak_mb_per_worker']:.0f} | {cells} |"
        )
    return lines


def _suggestion_share(summary: dict[str, Any]) -> float:
    """The suggestion search's median seconds over popsync's median pipeline work (with the gate)."""
    return float(summary["median_stage_seconds"]["reconcile.suggestions"]) / float(summary["median_seconds"])


def markdown(report: dict[str, Any]) -> str:
    load = report["machine"].get("load_average_at_start", [])
    lines = [
        f"Benchmark {report['started']} on {report['machine'].get('name', '?')}, {report['machine']['cores']} cores, "
        f"{report['machine']['memory_gib']} GiB ({report['machine']['platform']}); "
        f"median of {report['repeats']} interleaved runs per tool. popsync's time is pipeline work including "
        "the quality gate; a peer's is its whole comparison. Process = wall time of the whole process (imports "
        "included); process CPU = the process's own user + system time (the database server's is not in it).",
        "",
        f"Load average at the start: {' '.join(str(value) for value in load)}.",
        "",
        "| size (sector : register) | tool | median s | rows/s | process s | process CPU s | peak RSS MB "
        "| PostgreSQL peak MB | popsync faster: work | popsync faster: process |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in report["sizes"]:
        results = size["tools"]
        ours = results.get("popsync", {})
        for tool, summary in results.items():
            work = process = ""
            if tool != "popsync" and ours:
                work = f"{summary['median_seconds'] / ours['median_seconds']:.1f}×"
                process = f"{summary['median_wall_seconds'] / ours['median_wall_seconds']:.1f}×"
            lines.append(
                f"| {size['label']} | {tool} | {summary['median_seconds']:.2f} | {summary['rows_per_second']:,.0f} | "
                f"{summary['median_wall_seconds']:.2f} | {summary.get('median_cpu_seconds', 0.0):.1f} | "
                f"{summary.get('peak_vmhwm_mb', summary['peak_rss_mb']):.0f} | "
                f"{summary['postgres_peak_pss_mb']:.0f} | {work} | {process} |"
            )
    lines += ["", "popsync stages (median seconds):", ""]
    lines.append("| size | " + " | ".join(name for name, _ in STAGE_COLUMNS) + " | import popsync |")
    lines.append("|---|" + "---:|" * (len(STAGE_COLUMNS) + 1))
    for size in report["sizes"]:
        popsync = size["tools"].get("popsync")
        if not popsync:
            continue
        stages = popsync["median_stage_seconds"]
        cells = " | ".join(f"{stages.get(key, 0.0):.2f}" for _, key in STAGE_COLUMNS)
        lines.append(f"| {size['label']} | {cells} | {stages.get('import_popsync', 0.0):.2f} |")
    shares = [
        f"{size['label']} {_suggestion_share(size['tools']['popsync']):.1%}"
        for size in report["sizes"]
        if "popsync" in size["tools"] and "reconcile.suggestions" in size["tools"]["popsync"]["median_stage_seconds"]
    ]
    if shares:
        lines += [
            "",
            "Suggestion search (reconcile.suggestions) as a share of popsync's pipeline work: "
            + ", ".join(shares)
            + ".",
        ]
    lines += curve_markdown(report.get("curve", {}))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1M:1M", help="comma-separated sector:register sizes, e.g. 1M:1M,2M:10M")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tools", default="popsync,pandas,datacompy,sql", help="tools of sizes without =tools")
    parser.add_argument("--curve", action="store_true", help=f"measure the curve: --sizes {CURVE_SIZES}")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name", default="latest", help="results file name (<results-dir>/<name>.json/.md)")
    parser.add_argument("--reuse-data", action="store_true", help="keep the generated databases (one size only)")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()

    from popsync.db.embedded import EmbeddedPostgres
    from popsync.local.airflow_env import apply_airflow_environment
    from popsync.settings import get_settings

    settings = get_settings()
    apply_airflow_environment(settings)
    server = EmbeddedPostgres(settings.pgdata_dir, settings.embedded_port) if settings.uses_embedded_server else None
    started_here = server is not None and not server.is_running()
    try:
        return _run(args)
    finally:
        if server is not None and started_here:  # leave the port free for the next benchmark
            server.stop()


def _run(args: argparse.Namespace) -> int:
    from popsync.settings import get_settings

    settings = get_settings()
    env = dict(os.environ)
    urls = {
        "register": settings.database_url_for("popsync_register"),
        "source": settings.database_url_for("popsync_src_health_insurance"),
        "warehouse": settings.database_url_for("popsync_warehouse"),
    }
    sizes = [parse_size(text) for text in (CURVE_SIZES if args.curve else args.sizes).split(",")]
    every_tool = {tool for size in sizes for tool in (size.tools or tuple(args.tools.split(",")))}
    if any(tool != "popsync" for tool in every_tool) and not PEERS_PYTHON.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "bootstrap_peers.sh")], check=True)
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "repeats": args.repeats,
        "sizes": [],
    }
    for size in sizes:
        tools = list(size.tools or args.tools.split(","))
        print(f"== {size.label}: generating {size.register_rows:,} persons", flush=True)
        preparation = prepare(size, args.seed, generate_data=not args.reuse_data)
        generated, mirrored = preparation["generate_seconds"], preparation["mirror_seconds"]
        print(f"   generated in {generated:.1f} s, mirrored in {mirrored:.1f} s")
        runs: dict[str, list[dict[str, Any]]] = {tool: [] for tool in tools}
        for repeat in range(args.repeats):
            for tool in tools:
                result = run_tool(tool, env, urls)
                runs[tool].append(result)
                total = result["seconds"].get("pipeline_with_gate", result["seconds"].get("total"))
                # VmHWM: ru_maxrss keeps the forking parent's peak across exec (a generator's, here)
                peak = result.get("vmhwm_mb", result["peak_rss_mb"])
                print(f"   run {repeat + 1} {tool:<10} {total:7.2f} s  VmHWM {peak:7.0f} MB", flush=True)
        report["sizes"].append(
            {
                "label": size.label,
                "sector_rows": size.sector_rows,
                "register_rows": size.register_rows,
                "preparation": preparation,
                "tools": {t: summarise(r) for t, r in runs.items()},
            }
        )
        report["curve"] = projection(report)
        write_results(report, args.results_dir, args.name)
    print(markdown(report))
    return 0


def write_results(report: dict[str, Any], folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (folder / f"{name}.md").write_text(markdown(report), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
