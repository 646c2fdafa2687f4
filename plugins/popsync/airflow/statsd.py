"""Sync-rate gauges through Airflow's Stats (StatsD when ``[metrics] statsd_on`` is set)."""

from popsync.pipeline.metrics import RunMetrics
from popsync.pipeline.run import DatasetRun


def emit_gauges(run: DatasetRun, metrics: RunMetrics) -> None:
    """``popsync.<sector>.<dataset>.{total,matched,mismatched,sync_rate,reason.<CODE>}``, and
    ``active_total``, ``active_matched``, ``active_sync_rate`` for datasets with ``is_active``."""
    from airflow.sdk.observability.stats import Stats

    prefix = f"popsync.{run.sector.sector}.{run.dataset.name}"
    Stats.gauge(f"{prefix}.total", metrics.total)
    Stats.gauge(f"{prefix}.matched", metrics.matched)
    Stats.gauge(f"{prefix}.mismatched", metrics.mismatched)
    if metrics.sync_rate is not None:
        Stats.gauge(f"{prefix}.sync_rate", metrics.sync_rate)
    if metrics.active_total is not None and metrics.active_matched is not None:
        Stats.gauge(f"{prefix}.active_total", metrics.active_total)
        Stats.gauge(f"{prefix}.active_matched", metrics.active_matched)
    if metrics.active_sync_rate is not None:
        Stats.gauge(f"{prefix}.active_sync_rate", metrics.active_sync_rate)
    for reason, count in metrics.reason_counts.items():
        Stats.gauge(f"{prefix}.reason.{reason}", count)
