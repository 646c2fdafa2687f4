"""The tests' fixed loopback ports, in one place: every range lies below the kernel's ephemeral
range (Linux: 32768-60999), so a client connection's local port can never hold a port a test
server is about to bind (a fresh-clone CI run once failed so: a server could not bind 57688).

A checkout takes its offset within each range from a hash of its path, so two clones on one
machine do not collide. Airflow's log servers listen at the API port +10000 and +10001
(``popsync.local.airflow_env``); the ranges leave room for them:

    10000-10999  the log-scan test's demo API      (log servers 20000-20999)
    12000-16008  each pytest worker's Airflow API  (log servers 22000-26009)
    16500-17499  the scheduler-job test's API      (log servers 26500-27500)
    28000-32008  each pytest worker's PostgreSQL server (+1 the benchmark test's, +2 the log scan's)
"""

import hashlib
from pathlib import Path

EPHEMERAL_FLOOR = 32768
"""Linux's default lowest ephemeral port (``net.ipv4.ip_local_port_range``)."""
LOG_SERVER_OFFSETS = (10_000, 10_001)
"""Airflow's worker and trigger log servers, from the API port (``popsync.local.airflow_env``)."""
SERVER_BASE = 28_000
"""The tests' embedded PostgreSQL servers: SERVER_BASE + the checkout's offset (0-3999) + 3 per worker."""
WORKER_API_BELOW_SERVER = 16_000
"""A pytest worker's Airflow API port: its server's port minus this."""
SCHEDULER_JOB_API_BASE = 16_500
LOG_SCAN_API_BASE = 10_000

_ROOT = Path(__file__).resolve().parents[1]


def checkout_offset(span: int) -> int:
    """This checkout's offset in a range of ``span`` ports (a hash of its path)."""
    return int(hashlib.sha1(str(_ROOT).encode()).hexdigest(), 16) % span


DEFAULT_SERVER_PORT = SERVER_BASE + checkout_offset(4000)
SCHEDULER_JOB_API_PORT = SCHEDULER_JOB_API_BASE + checkout_offset(1000)
LOG_SCAN_API_PORT = LOG_SCAN_API_BASE + checkout_offset(1000)
