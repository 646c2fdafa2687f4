"""Fault injection for the crash tests: a process kills itself (SIGKILL) at a named point.

Set ``POPSYNC_TEST_KILL_AT`` to one of :data:`KILL_POINTS` in the environment of a task
process and it dies there as abruptly as ``kill -9`` would make it, with no clean-up and
no exception handler running. Unset (always, outside the tests) it does nothing.
"""

import os
import signal

from popsync.settings import test_kill_point

KILL_POINTS: tuple[str, ...] = (
    "plan",  # plan task: the buckets decided (a split run's records written), the result not yet returned
    "extract",  # reconcile task: the extract query runs on the sector database, stream open
    "normalise",  # reconcile task: records normalised and profiled in DuckDB
    "reconcile",  # reconcile task: result tables created, matches written, mismatches not yet
    "quality_gate",  # checks evaluated, outcomes not yet stored
    "publish",  # partitions swapped inside the publish transaction, not yet committed
    "publish_committed",  # publish committed, the task not yet finished
)


def kill_point(name: str) -> None:
    """Die here with SIGKILL when ``POPSYNC_TEST_KILL_AT`` names this point."""
    if name not in KILL_POINTS:
        raise ValueError(f"unknown kill point {name!r}")
    if test_kill_point() == name:
        os.kill(os.getpid(), signal.SIGKILL)
