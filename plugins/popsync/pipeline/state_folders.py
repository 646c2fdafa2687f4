"""Where incremental state is kept: ``<POPSYNC_WORK_DIR>/state/<sector>__<dataset>/<run tag><attempt>/``.

Its own module so that the janitor, which sweeps the folders no published run refers to, and
``pipeline/incremental.py``, which writes and reads them, share the layout without importing
each other.
"""

from pathlib import Path

from popsync.pipeline.run import DatasetRun
from popsync.settings import get_settings


def state_root() -> Path:
    """The folder holding every dataset's state folders."""
    return get_settings().work_dir / "state"


def state_folder(run: DatasetRun) -> Path:
    """Where the run keeps its state (the run tag and attempt, like its tables)."""
    return state_root() / run.dataset_prefix / f"{run.run_tag}{run.attempt}"
