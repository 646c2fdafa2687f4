#!/usr/bin/env python3
"""Light health checks for the stack's services (no Airflow import: a few milliseconds, not seconds).

healthcheck.py job SchedulerJob|DagProcessorJob|TriggererJob   a live job row with a fresh heartbeat
healthcheck.py http URL                                        the URL answers (any HTTP status)
healthcheck.py tcp PORT                                        something listens on 127.0.0.1:PORT
"""

import os
import socket
import sys
import urllib.error
import urllib.request

FRESH_SECONDS = 60


def job(job_type: str) -> bool:
    import psycopg

    url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute(
            "SELECT count(*) FROM job WHERE job_type = %s AND state = 'running' "
            "AND latest_heartbeat > now() - make_interval(secs => %s)",
            (job_type, FRESH_SECONDS),
        ).fetchone()
    return bool(row and row[0])


def http(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=10).close()
    except urllib.error.HTTPError:
        return True
    return True


def tcp(port: str) -> bool:
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10):
        return True


def main() -> int:
    kind, arg = sys.argv[1], sys.argv[2]
    check = {"job": job, "http": http, "tcp": tcp}[kind]
    try:
        return 0 if check(arg) else 1
    except Exception as exc:
        print(f"{kind} {arg}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
