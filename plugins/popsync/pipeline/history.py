"""Metrics history in the warehouse: one row per run, and the same per province."""

import logging

from psycopg.types.json import Jsonb

from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.pipeline.metrics import RunMetrics
from popsync.pipeline.results import GateResult
from popsync.pipeline.run import DatasetRun
from popsync.review.lifecycle import LifecycleCounts
from popsync.settings import WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)


def record_metrics(
    run: DatasetRun, metrics: RunMetrics, gate: GateResult, lifecycle: LifecycleCounts | None = None
) -> None:
    """Upsert the run's row in ``sync.sector_sync_rate`` and its provinces (re-runs replace)."""
    scope = (run.sector.sector, run.dataset.name, run.run_id)
    with connect(WAREHOUSE_CONN_ID) as conn:
        conn.execute(
            read_sql("warehouse/upsert_sync_rate.sql"),
            {
                "sector": run.sector.sector,
                "dataset": run.dataset.name,
                "run_id": run.run_id,
                "logical_date": run.logical_date,
                "total": metrics.total,
                "matched": metrics.matched,
                "mismatched": metrics.mismatched,
                "sync_rate": metrics.sync_rate,
                "reason_counts": Jsonb(metrics.reason_counts),
                "quality_status": gate.status,
                "quality_warnings": Jsonb([breach.to_json() for breach in gate.breaches]),
                "new_mismatches": None if lifecycle is None else lifecycle.new,
                "resolved_mismatches": None if lifecycle is None else lifecycle.resolved,
                "reopened_mismatches": None if lifecycle is None else lifecycle.reopened,
                "open_mismatches": None if lifecycle is None else lifecycle.open,
                "active_total": metrics.active_total,
                "active_matched": metrics.active_matched,
                "active_sync_rate": metrics.active_sync_rate,
            },
        )
        keys = {"sector": run.sector.sector, "dataset": run.dataset.name, "run_id": run.run_id}
        conn.execute(read_sql("warehouse/clear_province_rates.sql"), keys)
        with conn.cursor() as cur, cur.copy(read_sql("warehouse/copy_province_rates.sql")) as copy:
            for province in metrics.provinces:
                copy.write_row(
                    (
                        *scope,
                        run.logical_date,
                        province.province_code,
                        province.total,
                        province.matched,
                        province.mismatched,
                        province.sync_rate,
                        province.active_total,
                        province.active_matched,
                        province.active_sync_rate,
                        Jsonb(province.reason_counts),
                    )
                )
        conn.commit()
    _log.info("recorded metrics of %s: sync rate %s", run.label, metrics.sync_rate)
