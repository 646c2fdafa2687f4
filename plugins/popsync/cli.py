"""``popsync``: set up, generate demo data, run the DAGs, evaluate, start the UI."""

import argparse
import logging
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime

from popsync.quality_cli import add_quality_parser, run_quality
from popsync.settings import get_settings
from popsync.verdict_cli import add_verdict_parser, run_verdict

NEXT_STEPS = """
Where to look next:
  - mismatches to correct:   SELECT * FROM sync.mismatches WHERE sector = 'health_insurance' LIMIT 20;
  - sync-rate history:       SELECT * FROM sync.sector_sync_rate ORDER BY published_at DESC;
  - per province:            SELECT * FROM sync.province_sync_rate WHERE sector = 'education';
  - data-quality results:    SELECT * FROM sync.quality_results ORDER BY checked_at DESC;
    (warehouse: psql {warehouse})
  - Data Docs:               {data_docs}/index.html
  - the Airflow UI:          bash scripts/ui.sh  ->  http://127.0.0.1:8080
"""


def _cmd_setup(args: argparse.Namespace) -> int:
    from popsync.bootstrap import bootstrap

    server = bootstrap(get_settings())
    print(f"PostgreSQL ready at {server}; warehouse and Airflow metadata databases ready.")
    return 0


def _generate_options(args: argparse.Namespace) -> object:
    from popsync.generate import FaultRates, GenerateOptions

    sectors = tuple(args.sectors.split(",")) if args.sectors else GenerateOptions().sectors
    return GenerateOptions(
        persons=args.persons, seed=args.seed, sectors=sectors, rates=FaultRates(), replace=args.replace
    )


def _cmd_generate(args: argparse.Namespace) -> int:
    from popsync.db.databases import ensure_server
    from popsync.generate import generate, validate_options

    options = _generate_options(args)
    validate_options(options)  # type: ignore[arg-type]
    server = ensure_server(get_settings())
    report = generate(options, server)  # type: ignore[arg-type]
    print(report.summary())
    return 0


def _run_all(sectors: Sequence[str] | None, *, in_process: bool = False) -> bool:
    from popsync.sectors import load_sectors

    known = {s.sector for s in load_sectors()}
    unknown = sorted(set(sectors or ()) - known)
    if unknown:
        raise ValueError(f"unknown sector(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    logical_date = datetime.now(UTC).replace(microsecond=0)
    sector_dag_ids = [s.dag_id for s in load_sectors() if not sectors or s.sector in sectors]
    if in_process:
        return _run_in_process(["sync_reference", *sector_dag_ids], logical_date)
    from popsync.airflow.main_job import run_through_scheduler

    result = run_through_scheduler(get_settings(), sector_dag_ids, logical_date)
    print()
    for progress in result.runs.values():
        print(f"{progress.dag_id:<28} {progress.state:<8} {progress.seconds:6.1f} s")
        if progress.failed_tasks:
            print(f"  tasks not successful: {', '.join(progress.failed_tasks)}", file=sys.stderr)
    return result.succeeded


def _run_in_process(dag_ids: Sequence[str], logical_date: datetime) -> bool:
    """Each DAG through ``dag.test()`` in this process, one after the other (no scheduler)."""
    from popsync.airflow.runner import run_dag

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


def _cmd_run(args: argparse.Namespace) -> int:
    from popsync.bootstrap import bootstrap
    from popsync.report import sync_rate_table

    bootstrap(get_settings())
    ok = _run_all(args.sectors.split(",") if args.sectors else None, in_process=args.in_process)
    print()
    print(sync_rate_table())
    return 0 if ok else 1


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from popsync.bootstrap import bootstrap
    from popsync.evaluate import evaluate_dataset, format_evaluation, ground_truth_gap
    from popsync.sectors import load_sectors

    bootstrap(get_settings(), migrate_airflow=False)
    perfect, scored = True, 0
    for sector in load_sectors():
        for dataset in sector.datasets:
            gap = ground_truth_gap(sector, dataset.name)
            if gap is not None:
                print(f"{sector.sector}.{dataset.name}: not scored: {gap}")
                continue
            result = evaluate_dataset(sector, dataset.name)
            print(format_evaluation(result))
            perfect, scored = perfect and result.perfect, scored + 1
    if scored == 0:
        print("\nnothing to score: no dataset has ground truth (run `popsync generate` for demo data)")
        return 0
    print("\nall reason codes at precision = recall = 1.000" if perfect else "\nDISAGREEMENTS FOUND (see above)")
    return 0 if perfect else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    from popsync.bootstrap import bootstrap
    from popsync.db.databases import ensure_server
    from popsync.generate import generate, validate_options
    from popsync.report import sync_rate_table
    from popsync.settings import WAREHOUSE_DATABASE

    settings = get_settings()
    options = _generate_options(args)
    validate_options(options)  # type: ignore[arg-type]
    started = time.perf_counter()
    bootstrap(settings)
    print(f"set-up done in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    print(generate(options, ensure_server(settings)).summary())  # type: ignore[arg-type]
    print(f"demo data generated in {time.perf_counter() - started:.1f} s\n")
    started = time.perf_counter()
    ok = _run_all(None, in_process=args.in_process)
    print(f"\nall DAGs ran in {time.perf_counter() - started:.1f} s\n")
    print(sync_rate_table())
    evaluation_ok = _cmd_evaluate(args) == 0
    print(NEXT_STEPS.format(warehouse=settings.database_url_for(WAREHOUSE_DATABASE), data_docs=settings.data_docs_dir))
    return 0 if ok and evaluation_ok else 1


def _cmd_airflow(args: argparse.Namespace) -> int:
    from popsync.airflow_env import apply_airflow_environment
    from popsync.bootstrap import airflow_command

    apply_airflow_environment(get_settings())
    return subprocess.call([*airflow_command(), *args.airflow_args], env=os.environ.copy())


def _cmd_server(args: argparse.Namespace) -> int:
    from popsync.db.embedded import EmbeddedPostgres

    settings = get_settings()
    if not settings.uses_embedded_server:
        print("POPSYNC_DATABASE_URL is set: popsync does not manage that server.")
        return 1
    server = EmbeddedPostgres(settings.pgdata_dir, settings.embedded_port)
    if args.action == "start":
        print(server.ensure_running())
    elif args.action == "stop":
        server.stop()
    else:
        print(f"{'running' if server.is_running() else 'stopped'}; data in {server.cluster_dir}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="popsync", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("setup", help="start/prepare PostgreSQL, create databases, migrate Airflow")

    def add_generate_arguments(sub: argparse.ArgumentParser, *, replace_default: bool) -> None:
        sub.add_argument("--persons", type=int, default=50_000, help="register size (default 50,000)")
        sub.add_argument("--seed", type=int, default=6)
        sub.add_argument("--sectors", help="comma-separated sectors (default: all four)")
        sub.add_argument(
            "--replace",
            action=argparse.BooleanOptionalAction,
            default=replace_default,
            help="replace existing demo databases",
        )

    generate = commands.add_parser("generate", help="create the synthetic register and sector databases")
    add_generate_arguments(generate, replace_default=False)
    run = commands.add_parser(
        "run", help="run sync_reference, then the sector DAGs in parallel, through Airflow's scheduler"
    )
    run.add_argument("--sectors", help="comma-separated sectors (default: all)")
    in_process_help = "run each DAG with dag.test() in this process instead of through the scheduler"
    run.add_argument("--in-process", action="store_true", help=in_process_help)
    commands.add_parser("evaluate", help="score the published results against the ground truth")
    demo = commands.add_parser("demo", help="set up, generate (replacing demo data), run every DAG, report")
    add_generate_arguments(demo, replace_default=True)
    demo.add_argument("--in-process", action="store_true", help=in_process_help)
    airflow = commands.add_parser("airflow", help="run the airflow CLI against popsync's configuration")
    airflow.add_argument("airflow_args", nargs=argparse.REMAINDER)
    server = commands.add_parser("server", help="control the embedded PostgreSQL server")
    server.add_argument("action", choices=["start", "stop", "status"])
    add_verdict_parser(commands)
    add_quality_parser(commands)
    return parser


_COMMANDS = {
    "setup": _cmd_setup,
    "generate": _cmd_generate,
    "run": _cmd_run,
    "evaluate": _cmd_evaluate,
    "demo": _cmd_demo,
    "airflow": _cmd_airflow,
    "server": _cmd_server,
    "verdict": run_verdict,
    "quality": run_quality,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Airflow's own dependencies warn about their dependencies; not the user's business here.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from popsync.airflow_env import apply_airflow_environment

    apply_airflow_environment(get_settings())
    from popsync.airflow.connections import use_airflow_connections

    use_airflow_connections()
    try:
        return _COMMANDS[args.command](args)
    except (ValueError, FileExistsError) as exc:
        print(f"popsync: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if type(exc).__name__ == "JobInterruptedError":  # SIGTERM during `popsync run`
            return 143
        raise


if __name__ == "__main__":
    sys.exit(main())
