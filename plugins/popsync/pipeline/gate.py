"""Quality gate stage: Great Expectations validates the run before publishing ("đúng, đủ, sạch, sống").

The dataset's suite (``quality/suites.py``) holds the built-in checks, expectations on one row
of measures computed during normalisation (the profile), and any expectation the sector YAML
adds, on the profile, the extract (re-read from the sector database) or the run's staged
result tables. GX's validation result decides: a breached ``fail`` expectation raises
:class:`QualityGateError` (nothing is published); ``warn`` breaches are returned so the run
publishes with a mark; ``review`` breaches are returned too, and the DAG publishes only after
an operator approves (``airflow/approval_operator.py``). A suite GX rejects, an expectation on a missing
column or any GX error stops the run as well. Every result is stored (one row per expectation);
the Data Docs pages are built after publishing (``quality/data_docs.py``).
"""

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from popsync.db.connections import connect, source_sqlalchemy_url, sqlalchemy_url
from popsync.db.sql_files import read_sql
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.kill_points import kill_point
from popsync.pipeline.results import Breach, GateResult, ReconcileResult
from popsync.pipeline.run import DatasetRun
from popsync.quality.checks import CheckContext, build_checks, measures
from popsync.quality.gx_validation import Batch, ExpectationOutcome, GxValidationError, SqlBatch, import_gx, validate
from popsync.quality.store import RunScope, store_outcomes
from popsync.quality.suites import PROFILE, builtin_expectation, suite_name, yaml_expectations
from popsync.settings import WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)


class QualityGateError(DataRejectedError):
    """A fail-level expectation was breached or GX could not validate; the message names each one."""


def _published_rate(run: DatasetRun) -> tuple[Any, Any] | None:
    """(total, sync rate) of the dataset's currently published run; None before the first one."""
    with connect(WAREHOUSE_CONN_ID) as conn:
        row = conn.execute(
            read_sql("warehouse/published_rate.sql"), {"sector": run.sector.sector, "dataset": run.dataset.name}
        ).fetchone()
    return None if row is None else (row[0], row[1])


def previous_total(run: DatasetRun) -> int | None:
    """Row count of the dataset's currently published (previous successful) run."""
    published = _published_rate(run)
    return None if published is None else int(str(published[0]))


def previous_sync_rate(run: DatasetRun) -> float | None:
    """Sync rate of the dataset's currently published run (None before the first one)."""
    published = _published_rate(run)
    return None if published is None or published[1] is None else float(published[1])


def _batches(run: DatasetRun, profile_row: Mapping[str, float], wanted: set[str]) -> dict[str, Batch]:
    """The data each kind of expectation validates (SQL batches only when an expectation asks)."""
    batches: dict[str, Batch] = {PROFILE: profile_row}
    if "extract" in wanted:  # the extract query again, on the sector database (PostgreSQL or another)
        source = run.dataset.source_definition
        if source.kind == "file":
            names = ", ".join(item.check_name for item in run.dataset.expectations if item.data == "extract")
            raise QualityGateError(
                f"{run.label}: expectations on the extract ({names}) need a database source; this dataset "
                "reads a file: validate them on `data: mismatches` or `matches` instead; "
                "the previous results stay published"
            )
        conn_id = source.conn_id or run.sector.conn_id
        url = sqlalchemy_url(conn_id) if source.kind == "postgres" else source_sqlalchemy_url(conn_id)
        batches["extract"] = SqlBatch(url, query=read_sql(source.query))
    warehouse = sqlalchemy_url(WAREHOUSE_CONN_ID)
    if "mismatches" in wanted:
        batches["mismatches"] = SqlBatch(warehouse, table=run.mismatches_table)
    if "matches" in wanted:
        batches["matches"] = SqlBatch(warehouse, table=run.matches_table)
    return batches


def check_run(run: DatasetRun, reconciled: ReconcileResult) -> list[ExpectationOutcome]:
    """Validate the dataset's suite with GX on this run's data; store the results."""
    columns = run.dataset.columns
    ctx = CheckContext(
        now=datetime.now(UTC),
        previous_total=previous_total(run),
        has_updated_at=columns.updated_at is not None,
        checks_deceased=columns.is_active is not None,
        previous_sync_rate=previous_sync_rate(run),
        sync_rate=reconciled.metrics.sync_rate,
    )
    checks = build_checks(run.dataset.quality, ctx)
    row = measures(checks, reconciled.profile, ctx)
    expectations = [builtin_expectation(check) for check in checks if check.measure in row]
    expectations += yaml_expectations(run.dataset)
    batches = _batches(run, row, {item.data for item in expectations})
    try:
        outcomes, validations = validate(suite_name(run.sector, run.dataset), expectations, batches, run.label)
    except GxValidationError as exc:
        raise QualityGateError(
            f"{run.label}: data-quality gate stopped the run before publishing:\n  - {exc}\n"
            "  the previous results stay published"
        ) from exc
    kill_point("quality_gate")
    scope = RunScope(run.sector.sector, run.dataset.name, run.run_id, run.logical_date, run.run_tag)
    with connect(WAREHOUSE_CONN_ID) as conn:
        store_outcomes(conn, scope, outcomes, reconciled.profile, validations)
        conn.commit()
    return outcomes


def run_quality_gate(run: DatasetRun, reconciled: ReconcileResult) -> GateResult:
    """Validate the run; raise on a fail breach, return the warn and review breaches."""
    if reconciled.extracted == 0:  # publishing would replace the dataset's results with nothing
        raise QualityGateError(
            f"{run.label}: data-quality gate stopped the run before publishing:\n"
            "  - records_present (đủ): observed 0, threshold 1: the extract returned no records; "
            "check the extract query and the source; the previous results stay published"
        )
    gx_import = import_gx()
    _log.info(
        "%s: Great Expectations %s (%.3f s)",
        run.label,
        "preloaded" if gx_import.preloaded else "imported by this task",
        gx_import.seconds,
    )
    outcomes = check_run(run, reconciled)
    breaches = [outcome for outcome in outcomes if not outcome.success]
    for outcome in breaches:
        _log.warning("%s: %s breach: %s", run.label, outcome.expectation.severity, outcome.summary)
    _log.info(
        "%s: %d expectations validated by Great Expectations, %d breaches", run.label, len(outcomes), len(breaches)
    )
    failures = [outcome for outcome in breaches if outcome.expectation.severity == "fail"]
    if failures:
        listed = "\n".join(f"  - {outcome.summary}" for outcome in failures)
        raise QualityGateError(f"{run.label}: data-quality gate stopped the run before publishing:\n{listed}")
    return GateResult(
        tuple(
            Breach(
                o.expectation.check,
                o.expectation.quality,
                o.observed_number,
                o.expectation.threshold,
                o.expectation.severity,
                o.expectation.description,
            )
            for o in breaches
        ),
        gx_preloaded=gx_import.preloaded,
        gx_import_seconds=gx_import.seconds,
    )
