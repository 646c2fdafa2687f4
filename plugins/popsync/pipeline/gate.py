"""Quality gate stage: validate the run's profile before publishing ("đúng, đủ, sạch, sống").

The checks read one small row of aggregates computed during normalisation, so the gate
costs milliseconds and no library import. A ``fail`` breach raises
:class:`QualityGateError` (nothing is published); ``warn`` breaches are returned so the run
publishes with a mark. Every outcome is stored and rendered as a Data Docs page.
"""

import logging
from datetime import UTC, datetime

from popsync.db.connections import connect
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.faults import kill_point
from popsync.pipeline.results import Breach, GateResult, ReconcileResult
from popsync.pipeline.run import DatasetRun
from popsync.quality.checks import CheckContext, CheckOutcome, build_checks, evaluate
from popsync.quality.store import RunScope, render_data_docs, store_outcomes
from popsync.settings import WAREHOUSE_CONN_ID, get_settings

_log = logging.getLogger(__name__)


class QualityGateError(DataRejectedError):
    """A fail-level check was breached; the message names each one."""


def previous_total(run: DatasetRun) -> int | None:
    """Row count of the dataset's currently published (previous successful) run."""
    with connect(WAREHOUSE_CONN_ID) as conn:
        row = conn.execute(
            "SELECT rates.total FROM sync.published_runs AS published "
            "JOIN sync.sector_sync_rate AS rates USING (sector, dataset, run_id) "
            "WHERE published.sector = %s AND published.dataset = %s",
            (run.sector.sector, run.dataset.name),
        ).fetchone()
    return None if row is None else int(str(row[0]))


def check_run(run: DatasetRun, reconciled: ReconcileResult) -> list[CheckOutcome]:
    """Evaluate the dataset's checks on the run's profile, store and render the outcomes."""
    columns = run.dataset.columns
    ctx = CheckContext(
        now=datetime.now(UTC),
        previous_total=previous_total(run),
        has_updated_at=columns.updated_at is not None,
        checks_deceased=columns.is_active is not None,
    )
    outcomes = evaluate(build_checks(run.dataset.quality, ctx), reconciled.profile, ctx)
    kill_point("quality_gate")
    scope = RunScope(run.sector.sector, run.dataset.name, run.run_id, run.logical_date, run.run_tag)
    with connect(WAREHOUSE_CONN_ID) as conn:
        store_outcomes(conn, scope, outcomes, reconciled.profile)
        conn.commit()
    render_data_docs(get_settings().data_docs_dir, scope, outcomes, reconciled.profile)
    return outcomes


def run_quality_gate(run: DatasetRun, reconciled: ReconcileResult) -> GateResult:
    """Check the run; raise on a fail breach, return the warn breaches."""
    if reconciled.extracted == 0:  # publishing would replace the dataset's results with nothing
        raise QualityGateError(
            f"{run.label}: data-quality gate stopped the run before publishing:\n"
            "  - records_present (đủ): observed 0, threshold 1: the extract returned no records; "
            "check the extract query and the source; the previous results stay published"
        )
    outcomes = check_run(run, reconciled)
    breaches = [outcome for outcome in outcomes if not outcome.success]
    for outcome in breaches:
        _log.warning("%s: %s breach: %s", run.label, outcome.check.severity, outcome.summary)
    _log.info("%s: %d checks, %d breaches", run.label, len(outcomes), len(breaches))
    failures = [outcome for outcome in breaches if outcome.check.severity == "fail"]
    if failures:
        listed = "\n".join(f"  - {outcome.summary}" for outcome in failures)
        raise QualityGateError(f"{run.label}: data-quality gate stopped the run before publishing:\n{listed}")
    return GateResult(tuple(Breach(o.check.name, o.check.quality, o.observed, o.check.threshold) for o in breaches))
