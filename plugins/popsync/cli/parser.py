"""The ``popsync`` argument parser: one sub-command per command group."""

import argparse

from popsync.cli.quality import add_quality_parser
from popsync.cli.verdict import add_verdict_parser

DESCRIPTION = "popsync: set up, generate demo data, run the DAGs, evaluate, start the UI."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="popsync", description=DESCRIPTION)
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
