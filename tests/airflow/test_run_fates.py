"""Which runs the janitor may treat as dead: the decision on Airflow's records of a run.

``is_dead`` reads two answers from the running task instance (the DAG run's state, the states
of the dataset's task group). Here a recorded task instance gives those answers; the same
decision through real Airflow is in tests/integration/test_janitor_fates.py.
"""

from dataclasses import dataclass, field

import httpx
import pytest
from airflow.sdk.exceptions import AirflowRuntimeError, ErrorType
from airflow.sdk.execution_time.comms import ErrorResponse

from popsync.airflow.run_fates import dead_runs_from, is_dead
from popsync.pipeline.fates import RunRef

REF = RunRef("justice", "birth_registrations", "scheduled__2026-12-01")


@dataclass
class RecordedTaskInstance:
    """Answers as the task SDK gives them; ``error`` is raised instead when set."""

    run_state: str
    task_states: dict[str, str] = field(default_factory=dict)
    error: Exception | None = None
    asked: list[tuple[str, str, str | None]] = field(default_factory=list)

    def get_dagrun_state(self, dag_id: str, run_id: str) -> str:
        self.asked.append((dag_id, run_id, None))
        if self.error is not None:
            raise self.error
        return self.run_state

    def get_task_states(self, dag_id: str, *, run_ids: list[str], task_group_id: str) -> dict[str, dict[str, str]]:
        self.asked.append((dag_id, run_ids[0], task_group_id))
        return {run_ids[0]: self.task_states}


@pytest.mark.parametrize(
    ("run_state", "task_states", "dead"),
    [
        ("failed", {}, True),
        ("success", {}, True),  # finished without publishing these tables
        ("running", {"birth_registrations.reconcile": "failed"}, True),
        (
            "running",
            {"birth_registrations.reconcile": "success", "birth_registrations.publish": "upstream_failed"},
            True,
        ),
        ("running", {"birth_registrations.reconcile": "success", "birth_registrations.publish": "skipped"}, True),
        ("running", {"birth_registrations.reconcile": "running"}, False),
        (
            "running",
            {"birth_registrations.quality_gate": "success", "birth_registrations.approve_publish": "deferred"},
            False,
        ),
        ("queued", {}, False),  # no task state yet: fate unknown
    ],
)
def test_a_run_is_dead_when_finished_or_its_dataset_can_go_no_further(
    run_state: str, task_states: dict[str, str], dead: bool
) -> None:
    task_instance = RecordedTaskInstance(run_state, task_states)
    assert is_dead(task_instance, REF) is dead
    assert task_instance.asked[0] == ("sync_justice", REF.run_id, None)
    if run_state not in ("success", "failed"):
        assert task_instance.asked[1] == ("sync_justice", REF.run_id, "birth_registrations")  # the dataset's group only


def test_a_run_airflow_does_not_know_is_not_dead() -> None:
    unknown = AirflowRuntimeError(ErrorResponse(error=ErrorType.GENERIC_ERROR, detail={"status_code": 404}))
    assert is_dead(RecordedTaskInstance("running", error=unknown), REF) is False
    request = httpx.Request("GET", "http://127.0.0.1/execution/dag-runs")
    not_found = httpx.HTTPStatusError("404", request=request, response=httpx.Response(404, request=request))
    assert is_dead(RecordedTaskInstance("running", error=not_found), REF) is False


def test_a_server_error_is_not_taken_for_an_answer() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/execution/dag-runs")
    failing = httpx.HTTPStatusError("500", request=request, response=httpx.Response(500, request=request))
    with pytest.raises(httpx.HTTPStatusError):
        is_dead(RecordedTaskInstance("running", error=failing), REF)


def test_the_janitors_question_keeps_only_the_dead_runs() -> None:
    other = RunRef("justice", "birth_registrations", "manual__2026-12-02")

    class TwoRuns(RecordedTaskInstance):
        def get_dagrun_state(self, dag_id: str, run_id: str) -> str:
            return "failed" if run_id == REF.run_id else "running"

    dead_runs = dead_runs_from(TwoRuns("unused", {"birth_registrations.reconcile": "running"}))
    assert dead_runs([REF, other]) == frozenset({REF})
