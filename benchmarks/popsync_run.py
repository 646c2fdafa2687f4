"""One timed popsync run of health_insurance.cards through ``run_dataset``, the DAG's sequence.

Prints one JSON line: seconds per stage (and per step inside reconcile), rows, and this
process's peak RSS. Great Expectations validates the gate: it is imported (and warmed) first,
as a worker preloads it before forking its task processes, and that one-time import is reported
on its own (``import_gx``), like popsync's own import. Building the Data Docs (inside the
publish_metrics stage, after the results are published) is reported on its own too
(``data_docs``) and left out of ``pipeline``. Run by ``benchmarks/run_benchmark.py`` in its own process so that its
memory is its own.
"""

import json
import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any


def _cpu_seconds() -> float:
    """User + system CPU time of this process: the worker's own work, whatever the machine's load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _vmhwm_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB; ru_maxrss where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    from popsync.pipeline.results import DatasetState
    from popsync.pipeline.run import DatasetRun
    from popsync.pipeline.sequence import run_dataset
    from popsync.sectors import load_sectors

    timings["import_popsync"] = time.perf_counter() - started
    from popsync.pipeline import sequence
    from popsync.quality.gx_validation import preload

    timings["import_gx"] = preload()  # what a worker pays once before forking its task processes
    build_docs = sequence.build_docs

    def timed_docs(run: DatasetRun) -> None:
        docs_started = time.perf_counter()
        build_docs(run)
        timings["data_docs"] = time.perf_counter() - docs_started

    sequence.build_docs = timed_docs
    sector = next(s for s in load_sectors() if s.sector == "health_insurance")
    run = DatasetRun(sector, sector.datasets[0], f"bench__{time.time_ns()}", datetime.now(UTC))

    def on_stage(stage: str, seconds: float, state: DatasetState) -> None:
        timings[stage] = seconds - (timings.get("data_docs", 0.0) if stage == "publish_metrics" else 0.0)
        if stage == "reconcile":
            timings.update({f"reconcile.{step}": s for step, s in state.need_reconciled().timings})

    state = run_dataset(run, on_stage=on_stage)
    reconciled = state.need_reconciled()
    # the plan stage is pipeline work too: with several buckets it extracts, normalises, profiles
    # and splits the whole dataset before the first bucket runs
    pipeline = ("plan", "reconcile", "publish", "publish_metrics")
    result: dict[str, Any] = {
        "tool": "popsync",
        "rows_sector": reconciled.extracted,
        "mismatches": reconciled.metrics.mismatched,
        "sync_rate": reconciled.metrics.sync_rate,
        "seconds": {
            **timings,
            "pipeline": sum(timings[stage] for stage in pipeline),
            "pipeline_with_gate": sum(timings[stage] for stage in (*pipeline, "quality_gate")),
        },
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vmhwm_mb": _vmhwm_mb(),
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "cpu_seconds": _cpu_seconds(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
