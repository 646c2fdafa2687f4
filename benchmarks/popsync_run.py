"""One timed popsync run of health_insurance.cards through the same stage functions the DAG runs.

Prints one JSON line: seconds per stage, rows, and this process's peak RSS.
Run by ``benchmarks/run_benchmark.py`` in its own process so that its memory is its own.
"""

import json
import resource
import sys
import time
from datetime import UTC, datetime
from typing import Any


def main() -> int:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    from popsync.pipeline.extract import extract
    from popsync.pipeline.history import record_metrics
    from popsync.pipeline.normalise import normalise
    from popsync.pipeline.publish import drop_run_tables, publish
    from popsync.pipeline.reconcile import reconcile
    from popsync.pipeline.run import DatasetRun
    from popsync.sectors import load_sectors

    timings["import_popsync"] = time.perf_counter() - started
    with_gate = "--no-gate" not in sys.argv
    if with_gate:
        started = time.perf_counter()
        import great_expectations  # noqa: F401 - timed on its own: paid once per task process

        from popsync.pipeline.gate import run_quality_gate

        timings["import_great_expectations"] = time.perf_counter() - started

    sector = next(s for s in load_sectors() if s.sector == "health_insurance")
    run = DatasetRun(sector, sector.datasets[0], f"bench__{time.time_ns()}", datetime.now(UTC)).with_new_attempt()

    def timed(stage: str, step: Any) -> Any:
        begun = time.perf_counter()
        value = step()
        timings[stage] = time.perf_counter() - begun
        return value

    rows = timed("extract", lambda: extract(run))
    timed("normalise", lambda: normalise(run))
    metrics = timed("reconcile", lambda: reconcile(run))
    warnings: list[dict[str, Any]] = timed("quality_gate", lambda: run_quality_gate(run)) if with_gate else []
    timed("publish", lambda: publish(run))
    timed("metrics", lambda: record_metrics(run, metrics, quality_warnings=warnings))
    timed("cleanup", lambda: drop_run_tables(run, keep_results=True))
    pipeline = ("extract", "normalise", "reconcile", "publish", "metrics", "cleanup")
    result = {
        "tool": "popsync",
        "rows_sector": rows,
        "mismatches": metrics.mismatched,
        "sync_rate": metrics.sync_rate,
        "seconds": {
            **timings,
            "pipeline": sum(timings[stage] for stage in pipeline),
            "pipeline_with_gate": sum(timings[stage] for stage in pipeline) + timings.get("quality_gate", 0.0),
        },
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
