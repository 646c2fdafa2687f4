"""One incremental run in a process of its own: its peak resident memory per stage (issue 17).

    POPSYNC_HOME=... POPSYNC_EMBEDDED_PORT=... /work/bin/heavy --exclusive \\
        .venv/bin/python benchmarks/incremental_peak.py --buckets 9 --name incremental-peak-10m

Run in a benchmark home where ``benchmarks/incremental_run.py`` left a published run with state.
Changes 1 % of the cards and 0.1 % of the register persons (as ``incremental_run.py`` does), then
runs ``health_insurance.cards`` once, incrementally, in this fresh process, and reports each
stage's seconds and the process's peak resident memory (VmHWM) after it: closer to a task process
of the DAG (which runs one stage) than the figures of ``incremental_run.py``, whose one process
runs full and incremental runs one after the other. Writes ``benchmarks/results/<name>.md``.
"""

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buckets", type=int, default=1, help="the dataset's buckets, as the state was kept with")
    parser.add_argument("--name", default="incremental-peak")
    args = parser.parse_args()

    from benchmarks.incremental_run import _change, _reset_peak_memory, _settle, _start_date
    from popsync.db.embedded import EmbeddedPostgres
    from popsync.local.airflow_env import apply_airflow_environment
    from popsync.pipeline.memory import peak_memory_mb
    from popsync.pipeline.results import DatasetState
    from popsync.pipeline.run import DatasetRun
    from popsync.pipeline.sequence import run_dataset
    from popsync.sectors import load_sectors
    from popsync.sectors.model import IncrementalRuns
    from popsync.settings import get_settings

    settings = get_settings()
    apply_airflow_environment(settings)
    server = EmbeddedPostgres(settings.pgdata_dir, settings.embedded_port) if settings.uses_embedded_server else None
    started_here = server is not None and not server.is_running()
    if server is not None:
        server.ensure_running()
    load = Path("/proc/loadavg").read_text(encoding="utf-8").strip()
    rows: list[str] = []
    try:
        changed = _change(0.01, 99)
        _settle(180.0)
        sector = next(s for s in load_sectors() if s.sector == "health_insurance")
        update = {"incremental": IncrementalRuns(full_every_days=30), "buckets": args.buckets}
        dataset = sector.datasets[0].model_copy(update=update)
        sector = sector.model_copy(update={"datasets": (dataset,)})
        _reset_peak_memory()  # the snapshot the change wrote peaked in this process
        before = peak_memory_mb()

        def on_stage(stage: str, elapsed: float, state: DatasetState) -> None:
            rows.append(f"| {stage} | {elapsed:.3f} | {peak_memory_mb() or 0:.0f} |")

        when = max(_start_date(), datetime.now(UTC) + timedelta(days=1))
        run = DatasetRun(sector, dataset, f"bench__peak_{when:%Y%m%d%H%M%S}", when)
        state = run_dataset(run, on_stage=on_stage)
        assert state.published is not None and state.published.published, state.published
        mode = "incremental" if "carry_over" in dict(state.need_reconciled().timings) else "full"
    finally:
        if server is not None and started_here:
            server.stop()
    lines = [
        f"# One {mode} run in a process of its own: peak memory per stage",
        "",
        f"Load average at start: {load}. Changed before the run: {changed}. The dataset sets "
        f"`buckets: {args.buckets}`. Peak resident memory (VmHWM) of the process before the run, reset "
        f"after the change (whose snapshot ran in this process): {before or 0:.0f} MB.",
        "",
        "| stage | seconds | VmHWM after it (MB) |",
        "|---|---:|---:|",
        *rows,
    ]
    (ROOT / "benchmarks" / "results" / f"{args.name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
