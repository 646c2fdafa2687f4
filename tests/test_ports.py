"""The tests' fixed ports (tests/ports.py) lie below the ephemeral range and never overlap."""

import itertools
from pathlib import Path

from tests import ports

WORKERS = 2  # scripts/test.sh runs two pytest-xdist workers; a session takes its port +0..+2


def _ranges() -> dict[str, range]:
    """Every fixed port any checkout's tests may listen on, by what listens."""
    servers = range(ports.SERVER_BASE, ports.SERVER_BASE + 4000 + 3 * WORKERS + 3)
    worker_api = range(servers.start - ports.WORKER_API_BELOW_SERVER, servers.stop - ports.WORKER_API_BELOW_SERVER)
    named = {
        "servers": servers,
        "worker_api": worker_api,
        "scheduler_job_api": range(ports.SCHEDULER_JOB_API_BASE, ports.SCHEDULER_JOB_API_BASE + 1000),
        "log_scan_api": range(ports.LOG_SCAN_API_BASE, ports.LOG_SCAN_API_BASE + 1000),
    }
    for name in ("worker_api", "scheduler_job_api", "log_scan_api"):
        api = named[name]
        named[f"{name}_log_servers"] = range(
            api.start + min(ports.LOG_SERVER_OFFSETS), api.stop + max(ports.LOG_SERVER_OFFSETS)
        )
    return named


def test_every_fixed_port_lies_below_the_ephemeral_range() -> None:
    floor = ports.EPHEMERAL_FLOOR
    setting = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if setting.exists():  # this machine's own floor, where it differs from Linux's default
        floor = min(floor, int(setting.read_text().split()[0]))
    for name, span in _ranges().items():
        assert span.start >= 1024 and span.stop <= floor, (name, span, floor)


def test_the_ranges_do_not_overlap_and_hold_the_checkouts_ports() -> None:
    spans = sorted(_ranges().items(), key=lambda item: item[1].start)
    for (first, one), (second, other) in itertools.pairwise(spans):
        assert one.stop <= other.start, (first, one, second, other)
    named = _ranges()
    assert ports.DEFAULT_SERVER_PORT in named["servers"]
    assert ports.SCHEDULER_JOB_API_PORT in named["scheduler_job_api"]
    assert ports.LOG_SCAN_API_PORT in named["log_scan_api"]
    assert 8080 not in range(spans[0][1].start, spans[-1][1].stop)  # the default API port of a demo
