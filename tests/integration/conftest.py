"""Session fixtures: generated demo data and one run of every DAG through Airflow."""

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from popsync.local.dag_runner import DagRunResult, run_dag
from popsync.sectors import load_sectors

PERSONS = 4_000
COLLISIONS = 0.02
"""Share of twins and shared former CMNDs forced into the register (see test_collisions.py)."""
SEED = 20_261_121


@pytest.fixture(scope="session")
def generated(server_url: str) -> object:
    """Small demo data with every fault family present (ground truth beside each source)."""
    from popsync.generate import GenerateOptions, generate

    return generate(GenerateOptions(persons=PERSONS, seed=SEED, replace=True, collisions=COLLISIONS), server_url)


@pytest.fixture(scope="session")
def logical_date() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="session")
def fresh_date(logical_date: datetime) -> Callable[[], datetime]:
    """A new logical date at each call, later than every one handed out before in this session.

    A sector DAG publishes only results at least as new as the published ones, and the
    lifecycle refuses older dates, so a test that needs its run to be published asks for a
    fresh date instead of reusing a fixed offset another test may have passed already. The
    dates are whole days after ``logical_date`` (the session's first runs), so they are also
    later than any run a test starts at "now" (``popsync run``).
    """
    days = itertools.count(1)
    return lambda: logical_date + timedelta(days=next(days))


@pytest.fixture(scope="session")
def first_runs(generated: object, logical_date: datetime) -> Iterator[dict[str, DagRunResult]]:
    """sync_reference, then every sector DAG, each executed through Airflow (dag.test)."""
    results = {"sync_reference": run_dag("sync_reference", logical_date)}
    for sector in load_sectors():
        results[sector.dag_id] = run_dag(sector.dag_id, logical_date)
    yield results
