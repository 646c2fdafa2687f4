"""The ``approve_publish`` stage in a DAG: Airflow's human-in-the-loop ApprovalOperator, asked only
on ``review`` breaches (the decisions and texts are ``pipeline/approval.py``'s).

Without a review breach the task skips itself at once (no operator needed, publish runs). With
one, it records a HITL request (subject, body with the breached checks and metrics, a comment
field) and waits in ``awaiting_input``. Approve: publish runs. Reject, or the timeout (default
option Reject): the task fails with the operator's answer and the run's result tables are dropped,
so the previous results stay published.
"""

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator, HITLOperator
from airflow.sdk import Param
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from popsync.airflow.task_context import dataset_run
from popsync.pipeline.approval import approval_answer, approval_body, approval_timeout, review_breaches
from popsync.pipeline.publish import drop_run_tables
from popsync.pipeline.results import DatasetState
from popsync.pipeline.sequence import planned_run
from popsync.sectors.model import DatasetDefinition, SectorDefinition


class PublishApprovalOperator(ApprovalOperator):
    """Ask an operator whether to publish a run whose quality gate found review-level breaches."""

    def __init__(
        self, *, sector: SectorDefinition, dataset: DatasetDefinition, state_task_id: str, **kwargs: Any
    ) -> None:
        label = f"{sector.sector}.{dataset.name}"
        super().__init__(
            subject=f"Publish {label} despite review-level quality breaches?",
            body="Filled in when a review-level breach is found.",
            defaults=ApprovalOperator.REJECT,
            params={"comment": Param("", type="string", title="Comment", description="why (kept with the run)")},
            **kwargs,
        )
        self.sector = sector
        self.dataset = dataset
        self.state_task_id = state_task_id
        """The task whose XCom is the state to approve (the stage before this one)."""
        self.dataset_label = label

    def _state(self, context: Any) -> DatasetState:
        """The dataset run's state as the stage before this one handed it on."""
        return DatasetState.from_json(context["ti"].xcom_pull(task_ids=self.state_task_id))

    def execute(self, context: Any) -> Any:
        state = self._state(context)
        breaches = review_breaches(state)
        if not breaches:
            raise AirflowSkipException("no review-level breach: publishing needs no approval")
        self.response_timeout = approval_timeout()
        self.params["comment"] = ""  # the form starts empty (an earlier answer may linger in this process)
        self.body = approval_body(self.dataset_label, breaches, state.need_reconciled().metrics, self.response_timeout)
        self.log.info("%s: %d review-level breaches; waiting for an operator", self.dataset_label, len(breaches))
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        result = HITLOperator.execute_complete(self, context, event)
        answer = approval_answer(dict(result) | {"timedout": event.get("timedout")}, ApprovalOperator.APPROVE)
        self.hitl_summary_extra["approved"] = answer.approved
        if answer.approved:
            self.log.info("%s: publishing approved by %s", self.dataset_label, answer.responded_by)
            return result
        run = planned_run(dataset_run(context, self.sector, self.dataset), self._state(context))
        drop_run_tables(run, keep_results=False)
        raise AirflowFailException(answer.refusal(self.dataset_label, approval_timeout()))
