"""The published run an incremental run starts from (``pipeline/incremental.py``)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Baseline:
    """The published run an incremental run starts from, and where its state lies."""

    folder: str
    """The run's state folder below ``<POPSYNC_WORK_DIR>/state``."""
    run_id: str
    last_full_date: datetime
    """Logical date of the last full run the state descends from (a full run is due after ``full_every_days``)."""
