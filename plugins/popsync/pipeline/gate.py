"""Quality gate stage: validate the run before publishing ("đúng, đủ, sạch, sống").

A ``fail`` breach raises :class:`QualityGateError` (nothing is published); ``warn``
breaches are returned so the run publishes with a mark; ``review`` breaches are returned too,
and the DAG publishes only after an operator approves (see ``airflow/approval.py``).
"""

import logging
from datetime import UTC, datetime
from typing import Any

from psycopg import sql

from popsync.db.connections import connect, sqlalchemy_url
from popsync.db.identifiers import quoted, quoted_name
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.run import DatasetRun
from popsync.quality.checks import Batch, build_checks
from popsync.quality.docs import render_data_docs
from popsync.quality.gx_validation import validate_checks
from popsync.quality.store import store_outcomes
from popsync.settings import WAREHOUSE_CONN_ID, get_settings

_log = logging.getLogger(__name__)


class QualityGateError(DataRejectedError):
    """A fail-level expectation was breached; the message names each one."""


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


def previous_sync_rate(run: DatasetRun) -> float | None:
    """Sync rate of the dataset's currently published run (None before the first one)."""
    with connect(WAREHOUSE_CONN_ID) as conn:
        row = conn.execute(
            "SELECT rates.sync_rate FROM sync.published_runs AS published "
            "JOIN sync.sector_sync_rate AS rates USING (sector, dataset, run_id) "
            "WHERE published.sector = %s AND published.dataset = %s",
            (run.sector.sector, run.dataset.name),
        ).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def _batches(run: DatasetRun) -> dict[Batch, str]:
    mismatches = quoted_name(*run.mismatches_table)
    return {
        "raw": ".".join(run.raw_table),
        "normalised": ".".join(run.normalised_table),
        "repeated_keys": (
            f"SELECT source_key FROM {quoted_name(*run.normalised_table)} "
            "WHERE source_key IS NOT NULL GROUP BY source_key HAVING count(*) > 1"
        ),
        "results": f"SELECT source_key FROM {mismatches} WHERE reasons @> ARRAY['DECEASED']",
        "mismatched": f"SELECT source_key FROM {mismatches}",
    }


def _total(run: DatasetRun) -> int:
    with connect(WAREHOUSE_CONN_ID) as conn:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(quoted(*run.raw_table))).fetchone()
    return 0 if row is None else int(row[0])


def run_quality_gate(run: DatasetRun) -> list[dict[str, Any]]:
    """Validate, store results, render Data Docs; raise on fail, return warn breaches."""
    now = datetime.now(UTC)
    checks = build_checks(
        run.dataset.quality,
        has_updated_at=run.dataset.columns.updated_at is not None,
        previous_total=previous_total(run),
        now=now,
        checks_deceased=run.dataset.columns.is_active is not None,
        total=_total(run),
        previous_sync_rate=previous_sync_rate(run),
    )
    outcomes, results = validate_checks(
        checks, sqlalchemy_url(WAREHOUSE_CONN_ID), _batches(run), f"{run.label}.{run.run_tag}", now
    )
    store_outcomes(run, outcomes)
    docs = render_data_docs(run, results, get_settings().data_docs_dir)
    breaches = [outcome for outcome in outcomes if not outcome.success]
    failures = [outcome for outcome in breaches if outcome.check.severity == "fail"]
    for outcome in breaches:
        _log.warning("%s: %s breach: %s", run.label, outcome.check.severity, outcome.summary)
    _log.info("%s: %d checks, %d breaches; Data Docs in %s", run.label, len(outcomes), len(breaches), docs)
    if failures:
        listed = "\n".join(f"  - {outcome.summary}" for outcome in failures)
        raise QualityGateError(f"{run.label}: data-quality gate stopped the run before publishing:\n{listed}")
    return [
        {
            "check": o.check.name,
            "quality": o.check.quality,
            "observed": o.observed,
            "threshold": o.check.threshold,
            "severity": o.check.severity,
            "description": o.check.description,
        }
        for o in breaches
    ]
