"""Data-quality gate (filled in by the Great Expectations work)."""

from typing import Any

from popsync.pipeline.run import DatasetRun


def run_quality_gate(run: DatasetRun) -> list[dict[str, Any]]:
    """Validate the run before publishing; return warn-level breaches, raise on fail-level ones."""
    return []
