"""Which runs are dead, from Airflow's own records: the answer the janitor asks for.

A run's unpublished result tables are of no more use when its DAG run has finished
(``failed``, or ``success`` without publishing them), or when, in a DAG run still going on
for other datasets, the dataset's task group has a task that failed for good (``failed``,
``upstream_failed``) or has nothing left to run. Anything else — the DAG run queued or
running with the dataset's tasks still going, a publish awaiting an operator's approval (a
deferred task), a run Airflow does not know — is an unknown fate: the janitor keeps its tables
for the grace period.

Read through the task SDK (the running task instance asks the API server), so it works in
any task of any DAG, and in ``dag.test``.
"""

from collections.abc import Sequence
from typing import Any

import httpx
from airflow.sdk.exceptions import AirflowRuntimeError

from popsync.pipeline.fates import DeadRuns, RunRef
from popsync.sectors.model import sector_dag_id

FINISHED_RUN_STATES = frozenset({"success", "failed"})
FAILED_TASK_STATES = frozenset({"failed", "upstream_failed"})
TERMINAL_TASK_STATES = frozenset({"success", "failed", "upstream_failed", "skipped", "removed"})


def is_dead(task_instance: Any, ref: RunRef) -> bool:
    """Whether Airflow records ``ref``'s run of its dataset as over (see the module doc)."""
    dag_id = sector_dag_id(ref.sector)
    try:
        run_state = str(task_instance.get_dagrun_state(dag_id, ref.run_id))
        if run_state in FINISHED_RUN_STATES:
            return True
        by_run = task_instance.get_task_states(dag_id, run_ids=[ref.run_id], task_group_id=ref.dataset)
    except AirflowRuntimeError:  # not found: another deployment's run, or one deleted from Airflow
        return False
    except httpx.HTTPStatusError as exc:  # the API server's 404 as it reaches dag.test's in-process client
        if exc.response.status_code == 404:
            return False
        raise
    states = {str(state) for state in dict(by_run).get(ref.run_id, {}).values()}
    if not states:
        return False
    return bool(states & FAILED_TASK_STATES) or states <= TERMINAL_TASK_STATES


def dead_runs_from(task_instance: Any) -> DeadRuns:
    """The janitor's question, answered through ``task_instance`` (the running task's)."""

    def dead_runs(runs: Sequence[RunRef]) -> frozenset[RunRef]:
        return frozenset(ref for ref in runs if is_dead(task_instance, ref))

    return dead_runs
