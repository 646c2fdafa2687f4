"""Incremental against full runs of health_insurance.cards on the same data (issue 17, item 2).

    POPSYNC_HOME=.popsync/bench-incr POPSYNC_EMBEDDED_PORT=9448 \\
        /work/bin/heavy --exclusive .venv/bin/python benchmarks/incremental_run.py --size 1M:1M --repeats 3

With ``--buckets N`` (N > 1) the dataset is split: its full runs run N buckets (one after the
other, in this process) and keep the state's base in N shares; each incremental run starts from it.

Generates the size (its own popsync home and port; ``--reuse-data`` keeps it) in a process of its
own, so that what generating leaves resident does not count against the runs' task budget; then
publishes a first full run (which keeps the state), then REPEATS times: changes ``--changed`` (default 1 %) of the
cards at the source (a name changed, ``ngay_cap_nhat`` moved) and 0.1 % of the register
persons (a residence province) and refreshes the register snapshot, runs the dataset
incrementally, then fully (``full_run``) on the same data and logical date. Before each timed
run (not counted) it vacuums and analyses the warehouse and the source database and waits (up to
``--settle`` seconds) until no autovacuum worker is busy, as runs a day apart find the server:
back to back, autovacuum works on the tables the run before wrote while the next run publishes,
and publish, whose DDL needs those tables, waits ``deadlock_timeout`` (1 s) per table until
PostgreSQL cancels the vacuum. Reports the
median seconds per stage and step of each mode, and their ratio, as JSON and Markdown in
``benchmarks/results/<name>.*``.
"""

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PIPELINE = ("plan", "reconcile", "quality_gate", "publish", "publish_metrics")


def _change(fraction: float, seed: int) -> dict[str, int]:
    """Change ``fraction`` of the cards and a tenth of that of the register persons; refresh the snapshot."""
    import psycopg

    from popsync.db.connections import connect
    from popsync.reference.snapshot import write_snapshot
    from popsync.settings import get_settings

    source_url = get_settings().database_url_for("popsync_src_health_insurance")
    with psycopg.connect(source_url, autocommit=True) as source:
        cards = source.execute(
            "UPDATE bhyt.the_bhyt SET ho_ten = ho_ten || ' A', ngay_cap_nhat = ngay_cap_nhat + interval '1 day' "
            "WHERE abs(hashtext(ma_the || %s::text)) %% 10000 < %s",
            (seed, round(fraction * 10000)),
        ).rowcount
    with connect("popsync_warehouse", autocommit=True) as warehouse:
        persons = warehouse.execute(
            "UPDATE reference.persons SET residence_province = '001', updated_at = now() "
            "WHERE abs(hashtext(national_id || %s::text)) %% 100000 < %s",
            (seed, round(fraction * 10000)),
        ).rowcount
        warehouse.execute(
            "UPDATE reference.sync_state SET high_watermark = now(), "
            "row_count = (SELECT count(*) FROM reference.persons) WHERE mirror = 'population_register'"
        )
    write_snapshot()
    return {"cards_changed": cards, "persons_changed": persons}


def _settle(limit: float) -> float:
    """Vacuum and analyse the warehouse and the source, as autovacuum has done by a day later,
    then wait until no autovacuum worker is busy (at most ``limit`` seconds); return the seconds."""
    import psycopg

    from popsync.db.connections import connect
    from popsync.settings import get_settings

    started = time.perf_counter()
    with psycopg.connect(get_settings().database_url_for("popsync_src_health_insurance"), autocommit=True) as source:
        source.execute("VACUUM (ANALYZE)")
    with connect("popsync_warehouse", autocommit=True) as warehouse:
        warehouse.execute("VACUUM (ANALYZE)")
        while time.perf_counter() - started < limit:
            row = warehouse.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            ).fetchone()
            if row is None or int(row[0]) == 0:
                break
            time.sleep(1)
    return round(time.perf_counter() - started, 1)


def _start_date() -> datetime:
    """Now, or the day after the dataset's published run when that is later: a run of an earlier
    logical date would leave the newer results published and not publish its own."""
    from popsync.db.connections import connect
    from popsync.db.sql_files import read_sql

    now = datetime.now(UTC).replace(microsecond=0)
    with connect("popsync_warehouse") as conn:
        row = conn.execute(
            read_sql("warehouse/published_run.sql"), {"sector": "health_insurance", "dataset": "cards"}
        ).fetchone()
    return now if row is None else max(now, row[1] + timedelta(days=1))


def _reset_peak_memory() -> None:
    """Reset this process's VmHWM (Linux: ``clear_refs`` 5), so each run reports its own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def _timed_run(run_id: str, logical_date: datetime, *, full_run: bool, buckets: int) -> dict[str, Any]:
    from popsync.pipeline.results import DatasetState
    from popsync.pipeline.run import DatasetRun
    from popsync.pipeline.sequence import run_dataset
    from popsync.sectors import load_sectors
    from popsync.sectors.model import IncrementalRuns

    sector = next(s for s in load_sectors() if s.sector == "health_insurance")
    # the same definition in both modes: the full run of the comparison is the next run's baseline.
    # With buckets > 1 the full runs are split (their buckets keep the state's base in shares) and
    # each incremental run, one bucket, starts from a split run's state.
    update = {"incremental": IncrementalRuns(full_every_days=30), "buckets": buckets}
    dataset = sector.datasets[0].model_copy(update=update)
    sector = sector.model_copy(update={"datasets": (dataset,)})
    seconds: dict[str, float] = {}

    def on_stage(stage: str, elapsed: float, state: DatasetState) -> None:
        seconds[stage] = elapsed
        if stage == "reconcile":
            seconds.update({f"reconcile.{step}": s for step, s in state.need_reconciled().timings})
        if stage == "publish" and state.published is not None:
            seconds.update({f"publish.{step}": s for step, s in state.published.timings})

    _reset_peak_memory()
    state = run_dataset(DatasetRun(sector, dataset, run_id, logical_date, full_run=full_run), on_stage=on_stage)
    assert state.published is not None and state.published.published, state.published
    seconds["pipeline_with_gate"] = sum(seconds[stage] for stage in PIPELINE)
    reconciled = state.need_reconciled()
    peaks = [task.peak_memory_mb for task in reconciled.tasks if task.peak_memory_mb is not None]
    return {
        "seconds": seconds,
        "records": reconciled.extracted,
        "buckets": reconciled.buckets,
        "peak_memory_mb": max(peaks, default=None),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="1M:1M")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--changed", type=float, default=0.01, help="share of the cards changed before each run")
    parser.add_argument("--reuse-data", action="store_true")
    parser.add_argument("--prepare-only", action="store_true", help="generate and mirror the data, run nothing")
    parser.add_argument("--name", default="incremental-1m")
    parser.add_argument("--settle", type=float, default=180.0, help="seconds to wait at most for autovacuum")
    parser.add_argument("--buckets", type=int, default=1, help="the dataset's buckets (full runs split when > 1)")
    args = parser.parse_args()

    from benchmarks.run_benchmark import machine, parse_size, prepare
    from popsync.db.embedded import EmbeddedPostgres
    from popsync.local.airflow_env import apply_airflow_environment
    from popsync.settings import get_settings

    settings = get_settings()
    apply_airflow_environment(settings)
    server = EmbeddedPostgres(settings.pgdata_dir, settings.embedded_port) if settings.uses_embedded_server else None
    started_here = server is not None and not server.is_running()
    load = Path("/proc/loadavg").read_text(encoding="utf-8").strip()
    print(f"load at start: {load}", flush=True)
    try:
        if not args.reuse_data and not args.prepare_only:
            # generate in a process of its own: what generating leaves resident would count against
            # the runs' task budget (at 10M their DuckDB share fell to its 192 MB floor and the
            # plan's split ran out of memory)
            from popsync.db.databases import ensure_server

            ensure_server(settings)  # started here: the child leaves it running, this process stops it
            command = [sys.executable, str(Path(__file__).resolve()), "--size", args.size, "--prepare-only"]
            subprocess.run(command, check=True)  # it prints what generating and mirroring cost
        else:
            preparation = prepare(parse_size(args.size), 20261207, generate_data=not args.reuse_data)
            print(f"prepared: {preparation}", flush=True)
        if args.prepare_only:
            return 0
        when = _start_date()
        first = _timed_run(f"bench__first_{time.time_ns()}", when, full_run=True, buckets=args.buckets)
        print(f"first full run: {first['seconds']['pipeline_with_gate']:.2f} s", flush=True)
        runs: list[dict[str, Any]] = []
        for repeat in range(args.repeats):
            changed: dict[str, Any] = dict(_change(args.changed, repeat))
            when += timedelta(days=1)
            settled = {"incremental": _settle(args.settle)}
            incremental = _timed_run(f"bench__incr_{time.time_ns()}", when, full_run=False, buckets=args.buckets)
            settled["full"] = _settle(args.settle)
            full = _timed_run(f"bench__full_{time.time_ns()}", when, full_run=True, buckets=args.buckets)
            changed["settle_seconds"] = settled
            ratio = incremental["seconds"]["pipeline_with_gate"] / full["seconds"]["pipeline_with_gate"]
            print(
                f"run {repeat + 1}: {changed}; incremental {incremental['seconds']['pipeline_with_gate']:.2f} s, "
                f"full {full['seconds']['pipeline_with_gate']:.2f} s, ratio {ratio:.3f}, "
                f"peaks {incremental['peak_memory_mb']}/{full['peak_memory_mb']} MB "
                f"(load {Path('/proc/loadavg').read_text(encoding='utf-8').split()[:3]})",
                flush=True,
            )
            runs.append({"changed": changed, "incremental": incremental, "full": full, "ratio": ratio})
    finally:
        if server is not None and started_here:
            server.stop()
    steps = sorted({name for run in runs for mode in ("incremental", "full") for name in run[mode]["seconds"]})
    medians = {
        mode: {step: round(statistics.median(run[mode]["seconds"].get(step, 0.0) for run in runs), 3) for step in steps}
        for mode in ("incremental", "full")
    }
    report = {
        "size": args.size,
        "changed_share": args.changed,
        "load_at_start": load,
        "machine": machine(),
        "records": runs[0]["full"]["records"],
        "buckets": {mode: runs[0][mode]["buckets"] for mode in ("incremental", "full")},
        "peak_memory_mb": {
            mode: max((run[mode]["peak_memory_mb"] or 0.0 for run in runs), default=0.0)
            for mode in ("incremental", "full")
        },
        "runs": runs,
        "median_seconds": medians,
        "median_ratio": round(statistics.median(run["ratio"] for run in runs), 3),
    }
    folder = ROOT / "benchmarks" / "results"
    (folder / f"{args.name}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    lines = [
        f"# Incremental against full runs, {args.size}, {args.changed:.1%} of the cards changed",
        "",
        f"Load average at start: {load}. Records: {report['records']:,}. Runs: {len(runs)} "
        f"(each: change, incremental run, full run of the same date). Median ratio of pipeline work with the "
        f"gate, incremental / full: **{report['median_ratio']}**. Buckets: the dataset sets `buckets: {args.buckets}`; "
        f"the full runs ran in {report['buckets']['full']} and the incremental runs in "
        f"{report['buckets']['incremental']} (an incremental run is one bucket, from the state every bucket "
        f"of the full run kept). Peak resident memory of the benchmark process (VmHWM, reset before each run), "
        f"highest of the runs: incremental {report['peak_memory_mb']['incremental']:.0f} MB, full "
        f"{report['peak_memory_mb']['full']:.0f} MB. Before each timed run the "
        f"benchmark vacuumed and analysed the warehouse and the source and waited until no autovacuum worker was "
        f"busy, uncounted (`settle_seconds` per run below).",
        "",
        "| step (median s) | incremental | full |",
        "|---|---:|---:|",
    ]
    lines += [f"| {step} | {medians['incremental'][step]:.3f} | {medians['full'][step]:.3f} |" for step in steps]
    lines += ["", "Per run (pipeline work with the gate, s):", ""]
    lines += [
        f"- run {i + 1}: incremental {run['incremental']['seconds']['pipeline_with_gate']:.2f}, full "
        f"{run['full']['seconds']['pipeline_with_gate']:.2f}, ratio {run['ratio']:.3f}; {run['changed']}"
        for i, run in enumerate(runs)
    ]
    (folder / f"{args.name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
