"""``popsync``: set up, generate demo data, run the DAGs, evaluate, start the UI.

One module per command group (machine, data, jobs, airflow_cli, verdict), the parser, and
what is printed (output); ``main`` dispatches.
"""

from popsync.cli.main import main

__all__ = ["main"]
