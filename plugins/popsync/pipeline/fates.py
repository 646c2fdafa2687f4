"""What the orchestrator tells the janitor: which runs that own unpublished tables are dead.

The core defines the question; the Airflow layer (``popsync.airflow.run_fates``) answers it
from Airflow's own records, so the core never imports Airflow.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class RunRef:
    """One run of one dataset that still owns unpublished result tables."""

    sector: str
    dataset: str
    run_id: str


DeadRuns = Callable[[Sequence[RunRef]], frozenset[RunRef]]
"""Given runs that own unpublished tables, the ones known to be dead (failed, or finished
without publishing them). A run whose fate is unknown (still running, awaiting approval,
unknown to the orchestrator) must not be returned: it keeps the janitor's grace period."""
