"""``popsync``: the entry point; dispatches to one module per command group."""

import logging
import sys
import warnings
from collections.abc import Sequence

from popsync.cli.airflow_cli import cmd_airflow
from popsync.cli.data import cmd_evaluate, cmd_generate
from popsync.cli.jobs import cmd_demo, cmd_run
from popsync.cli.machine import cmd_server, cmd_setup
from popsync.cli.parser import build_parser
from popsync.cli.quality import run_quality
from popsync.cli.verdict import run_verdict
from popsync.settings import get_settings

COMMANDS = {
    "setup": cmd_setup,
    "generate": cmd_generate,
    "run": cmd_run,
    "evaluate": cmd_evaluate,
    "demo": cmd_demo,
    "airflow": cmd_airflow,
    "server": cmd_server,
    "verdict": run_verdict,
    "quality": run_quality,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Airflow's own dependencies warn about their dependencies; not the user's business here.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from popsync.local.airflow_env import apply_airflow_environment

    apply_airflow_environment(get_settings())
    from popsync.airflow.hook_connections import use_airflow_connections

    use_airflow_connections()
    try:
        return COMMANDS[args.command](args)
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
