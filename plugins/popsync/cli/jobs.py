"""``popsync run`` and ``popsync demo``: every DAG through the scheduler, or in this process."""

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from popsync.cli.data import cmd_evaluate, generate_options
from popsync.cli.output import NEXT_STEPS
from popsync.settings import get_settings


def run_all(sectors: Sequence[str] | None, *, in_process: bool = False) -> bool:
    from popsync.sectors import load_sectors

    known = {s.sector for s in load_sectors()}
    unknown = sorted(set(sectors or ()) - known)
    if unknown:
        raise ValueError(f"unknown sector(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    logical_date = datetime.now(UTC).replace(microsecond=0)
    sector_dag_ids = [s.dag_id for s in load_sectors() if not sectors or s.sector in sectors]
    if in_process:
        return run_in_process(["sync_reference", *sector_dag_ids], logical_date)
    from popsync.local.main_job import run_through_scheduler

    result = run_through_scheduler(get_settings(), sector_dag_ids, logical_date)
    print()
    for progress in result.runs.values():
        print(f"{progress.dag_id:<28} {progress.state:<8} {progress.seconds:6.1f} s")
        if progress.failed_tasks:
            print(f"  tasks not successful: {', '.join(progress.failed_tasks)}", file=sys.stderr)
    return result.succeeded


def run_in_process(dag_ids: Sequence[str], logical_date: datetime) -> bool:
    """Each DAG through ``dag.test()`` in this process, one after the other (no scheduler).

    Every task runs in this one process, whose resident memory grows from DAG to DAG: the task
    budget's share would shrink DuckDB to its floor, so the process keeps the limit of work
    outside tasks (``OFFLINE_DUCKDB_MB``) unless ``POPSYNC_DUCKDB_MEMORY_LIMIT`` says otherwise.
    """
    from popsync.db.duck import run_outside_tasks
    from popsync.local.dag_runner import run_dag

    run_outside_tasks()

    ok = True
    for dag_id in dag_ids:
        started = time.perf_counter()
        result = run_dag(dag_id, logical_date)
        print(f"{dag_id:<28} {result.state:<8} {time.perf_counter() - started:6.1f} s")
        if not result.succeeded:
            failed = [task for task, state in result.task_states.items() if state != "success"]
            print(f"  tasks not successful: {', '.join(sorted(failed))}", file=sys.stderr)
            ok = False
    return ok


def cmd_run(args: argparse.Namespace) -> int:
    from popsync.cli.output import sync_rate_table
    from popsync.local.bootstrap import bootstrap

    bootstrap(get_settings())
    ok = run_all(args.sectors.split(",") if args.sectors else None, in_process=args.in_process)
    print()
    print(sync_rate_table())
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from popsync.cli.output import sync_rate_table
    from popsync.db.databases import ensure_server
    from popsync.generate import generate, validate_options
    from popsync.local.bootstrap import bootstrap
    from popsync.settings import WAREHOUSE_DATABASE

    settings = get_settings()
    options = generate_options(args)
    validate_options(options)  # type: ignore[arg-type]
    started = time.perf_counter()
    bootstrap(settings)
    print(f"set-up done in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    print(generate(options, ensure_server(settings)).summary())  # type: ignore[arg-type]
    print(f"demo data generated in {time.perf_counter() - started:.1f} s\n")
    started = time.perf_counter()
    ok = run_all(None, in_process=args.in_process)
    print(f"\nall DAGs ran in {time.perf_counter() - started:.1f} s\n")
    print(sync_rate_table())
    evaluation_ok = cmd_evaluate(args) == 0
    print(NEXT_STEPS.format(warehouse=settings.database_url_for(WAREHOUSE_DATABASE), data_docs=settings.data_docs_dir))
    return 0 if ok and evaluation_ok else 1
