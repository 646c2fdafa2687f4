"""Assets that popsync's DAGs produce and consume."""

from airflow.sdk import Asset

REFERENCE_ASSET = Asset(name="popsync.reference.persons", uri="popsync://warehouse/reference/persons")


def dataset_asset(sector: str, dataset: str) -> Asset:
    """The published sync results of one dataset."""
    return Asset(name=f"popsync.sync.{sector}.{dataset}", uri=f"popsync://warehouse/sync/{sector}/{dataset}")


FEEDBACK_ASSET = Asset(name="popsync.review.register_feedback", uri="popsync://warehouse/sync/register_feedback")
"""Records sector teams believe the register has wrong, exported for the register authority."""
