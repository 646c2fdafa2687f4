"""``popsync setup`` and ``popsync server``: the database server and Airflow's metadata."""

import argparse

from popsync.settings import get_settings


def cmd_setup(args: argparse.Namespace) -> int:
    from popsync.local.bootstrap import bootstrap

    server = bootstrap(get_settings())
    print(f"PostgreSQL ready at {server}; warehouse and Airflow metadata databases ready.")
    return 0


def cmd_server(args: argparse.Namespace) -> int:
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
