"""DuckDB sessions for the set-based stages, with bounded memory."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from duckdb.func import FunctionNullHandling
from duckdb.sqltypes import VARCHAR

from popsync.db.sql_files import read_sql
from popsync.domain.legacy_encodings import repair_mojibake
from popsync.domain.provinces import PROVINCE_CODES
from popsync.settings import get_settings

DUCKDB_MEMORY_LIMIT = os.environ.get("POPSYNC_DUCKDB_MEMORY_LIMIT", "512MB")
DUCKDB_THREADS = int(os.environ.get("POPSYNC_DUCKDB_THREADS", "2"))


def sql_string(value: object) -> str:
    """A single-quoted SQL string literal (for file paths in DuckDB COPY and read_parquet)."""
    return "'" + str(value).replace("'", "''") + "'"


def _repair(text: str | None) -> str | None:
    return None if text is None else repair_mojibake(text)


@contextmanager
def duckdb_session() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB database that spills to a scratch folder above its memory limit."""
    work_dir = get_settings().work_dir
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir, prefix="duckdb-") as scratch:
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
            con.execute(f"SET threads = {DUCKDB_THREADS}")
            con.execute(f"SET temp_directory = {sql_string(Path(scratch) / 'spill')}")
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET enable_progress_bar = false")
            con.create_function(
                "repair_mojibake",
                _repair,
                [VARCHAR],
                VARCHAR,
                null_handling=FunctionNullHandling.SPECIAL,
                side_effects=False,
            )
            con.execute(read_sql("duckdb/macros.sql"))
            con.execute("CREATE TABLE province_codes (code VARCHAR PRIMARY KEY)")
            con.executemany("INSERT INTO province_codes VALUES (?)", [(code,) for code in PROVINCE_CODES])
            yield con
        finally:
            con.close()
