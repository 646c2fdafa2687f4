"""Run DAGs through Airflow in this process (``dag.test()``), for the CLI and the tests."""

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from popsync.settings import PROJECT_DIR

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DagRunResult:
    dag_id: str
    run_id: str
    state: str
    task_states: dict[str, str]

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


@cache
def _dagbag() -> object:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_DIR / "dags"), safe_mode=False)
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag


def load_dags() -> None:
    """Import Airflow and parse the DAG folder now, once for this process and the processes it forks."""
    _dagbag()


def run_dag(dag_id: str, logical_date: datetime) -> DagRunResult:
    """Execute one DAG run end to end through Airflow; return its final states."""
    bag = _dagbag()
    dag = bag.dags[dag_id]  # type: ignore[attr-defined]
    dag_run = dag.test(logical_date=logical_date, run_after=logical_date)
    states = {ti.task_id: str(ti.state) for ti in dag_run.get_task_instances()}
    _log.info("%s %s: %s", dag_id, dag_run.run_id, dag_run.state)
    return DagRunResult(dag_id, dag_run.run_id, str(dag_run.state), states)
