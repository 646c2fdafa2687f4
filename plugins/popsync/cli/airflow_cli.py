"""``popsync airflow``: the airflow CLI with popsync's configuration."""

import argparse
import os
import subprocess

from popsync.settings import get_settings


def cmd_airflow(args: argparse.Namespace) -> int:
    from popsync.local.airflow_env import apply_airflow_environment
    from popsync.local.bootstrap import airflow_command

    apply_airflow_environment(get_settings())
    return subprocess.call([*airflow_command(), *args.airflow_args], env=os.environ.copy())
