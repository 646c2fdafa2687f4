"""A benchmark home's health_insurance.cards in a DuckDB session, extracted and normalised once as
a run does (the statement benchmarks: split_write.py, classify_statement.py)."""

import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from popsync.db.databases import ensure_server
from popsync.local.airflow_env import apply_airflow_environment
from popsync.pipeline.extract import extract_reader
from popsync.pipeline.normalise import normalise_stream
from popsync.pipeline.run import DatasetRun
from popsync.sectors import load_sectors
from popsync.settings import get_settings


def cards_run(label: str) -> DatasetRun:
    """A run of health_insurance.cards dated now, with the home's embedded server started (and
    left running)."""
    settings = get_settings()
    apply_airflow_environment(settings)
    ensure_server(settings)
    sector = next(s for s in load_sectors() if s.sector == "health_insurance")
    return DatasetRun(sector, sector.datasets[0], f"bench__{label}_{time.time_ns()}", datetime.now(UTC))


def extract_cards(duck: duckdb.DuckDBPyConnection, run: DatasetRun) -> int:
    """Create the session's ``normalised`` from the home's source; return the records read."""
    with extract_reader(run) as reader:
        return normalise_stream(duck, reader, run.dataset, run.logical_date.date(), row_hashes=False)


def session_limits(duck: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """The session's DuckDB memory limit and threads, as DuckDB prints them."""
    row = duck.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()[0]
    return str(row[0]), str(row[1])


def scratch_folder(duck: duckdb.DuckDBPyConnection) -> Path:
    """The session's scratch folder (``duckdb_session``: removed with the session)."""
    return Path(str(duck.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])).parent
