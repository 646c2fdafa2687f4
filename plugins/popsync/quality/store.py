"""Validation results in the warehouse: one row per expectation per run."""

from psycopg.types.json import Jsonb

from popsync.db.connections import connect
from popsync.pipeline.run import DatasetRun
from popsync.quality.gx_validation import CheckOutcome
from popsync.settings import WAREHOUSE_CONN_ID


def store_outcomes(run: DatasetRun, outcomes: list[CheckOutcome]) -> None:
    """Replace the run's rows in ``sync.quality_results``."""
    scope = (run.sector.sector, run.dataset.name, run.run_id)
    with connect(WAREHOUSE_CONN_ID) as conn:
        conn.execute("DELETE FROM sync.quality_results WHERE sector = %s AND dataset = %s AND run_id = %s", scope)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO sync.quality_results (sector, dataset, run_id, logical_date, check_name, quality, "
                "expectation, severity, success, observed_value, threshold, details) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        *scope,
                        run.logical_date,
                        outcome.check.name,
                        outcome.check.quality,
                        outcome.check.expectation,
                        outcome.check.severity,
                        outcome.success,
                        outcome.observed,
                        outcome.check.threshold,
                        Jsonb(outcome.details),
                    )
                    for outcome in outcomes
                ],
            )
        conn.commit()
