"""Mismatch-lifecycle counts of a published run as StatsD gauges and Asset-event extra."""

from typing import Any

from popsync.pipeline.run import DatasetRun
from popsync.review.lifecycle import LifecycleCounts


def lifecycle_extra(counts: LifecycleCounts | None) -> dict[str, Any]:
    """``new_mismatches`` ... ``open_mismatches`` for the dataset's Asset event (None when not published)."""
    values = None if counts is None else counts.to_json()
    return {f"{key}_mismatches": None if values is None else values[key] for key in LifecycleCounts.__annotations__}


def emit_lifecycle_gauges(run: DatasetRun, counts: LifecycleCounts | None) -> None:
    """``popsync.<sector>.<dataset>.mismatches.{new,resolved,reopened,open}``."""
    if counts is None:
        return
    from airflow.sdk.observability.stats import Stats

    prefix = f"popsync.{run.sector.sector}.{run.dataset.name}.mismatches"
    for key, value in counts.to_json().items():
        Stats.gauge(f"{prefix}.{key}", value)
