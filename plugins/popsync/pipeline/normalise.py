"""Normalise: IDs, names, birth dates and genders into comparable values (DuckDB).

Stores the extract stream as it arrives, normalises it and keeps the normalised records in the worker's
DuckDB session; the gate's aggregates are computed from them in the same session.
"""

import unicodedata
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from popsync.db.duck import store_arrow
from popsync.db.sql_files import read_sql
from popsync.quality.checks import Profile
from popsync.sectors.model import DatasetDefinition


def gender_mapping_rows(dataset: DatasetDefinition) -> list[tuple[str, str]]:
    """The dataset's gender mapping with keys compared trimmed, NFC and lower-cased."""
    return [(unicodedata.normalize("NFC", raw).strip().lower(), code) for raw, code in dataset.genders.items()]


def create_normalised(
    duck: duckdb.DuckDBPyConnection, dataset: DatasetDefinition, logical_date: date, *, row_hashes: bool = False
) -> None:
    """Create the session's ``normalised`` table from its ``raw_extract`` table for ``dataset``.

    One ``CREATE TABLE ... AS`` statement: a relation built with ``duck.sql(..., params=...)``
    and then ``.create()`` took 2.5 times as long at 1M records. ``row_hashes``: add each
    record's ``row_hash`` (``incremental/row_hashes.sql``) in the same statement, for a run
    that keeps incremental state, instead of copying the table again to add it. A raw extract
    whose source computed the hashes (``row_hash``: ``sources/postgres.py``) keeps those.
    """
    duck.execute(read_sql("duckdb/gender_mapping.sql"))
    duck.executemany("INSERT INTO gender_mapping VALUES (?, ?)", gender_mapping_rows(dataset))
    params = {"date_formats": list(dataset.birth_date_formats), "logical_date": logical_date}
    raw_columns = {str(row[0]) for row in duck.execute("DESCRIBE raw_extract").fetchall()}
    hashed_at_source = "row_hash" in raw_columns
    statement = read_sql("duckdb/normalise.sql").replace(
        "__source_row_hash__", ", genders.row_hash" if hashed_at_source else ""
    )
    if row_hashes and not hashed_at_source:
        statement = f"WITH normalised AS ({statement}) {read_sql('duckdb/incremental/row_hashes.sql')}"
    duck.execute(f"CREATE OR REPLACE TABLE normalised AS {statement}", params)


def normalise_stream(
    duck: duckdb.DuckDBPyConnection,
    reader: pa.RecordBatchReader,
    dataset: DatasetDefinition,
    logical_date: date,
    *,
    row_hashes: bool = False,
) -> int:
    """Create the session's ``normalised`` table from an extract stream; return its row count.

    The stream is first stored as it comes (one reader thread keeps up with the network), then
    normalised with every thread: normalising straight off the stream runs on one thread only.
    ``row_hashes``: as in :func:`create_normalised`.
    """
    store_arrow(duck, "raw_extract", reader)
    try:
        create_normalised(duck, dataset, logical_date, row_hashes=row_hashes)
    finally:
        duck.execute("DROP TABLE raw_extract")
    row = duck.execute("SELECT count(*) FROM normalised").fetchone()
    return 0 if row is None else int(row[0])


def profile(duck: duckdb.DuckDBPyConnection, rows_sql: str = "duckdb/profile_rows.sql") -> Profile:
    """The gate's aggregates of the session's ``normalised`` table (one small row); ``rows_sql``:
    the statement giving each record's profiled values (``profile_rows.sql``: ``normalised``)."""
    cursor = duck.execute(read_sql("duckdb/profile.sql").replace("__profile_rows__", read_sql(rows_sql)))
    row = cursor.fetchone()
    assert row is not None and cursor.description is not None
    values = dict(zip([column[0] for column in cursor.description], row, strict=True))
    newest = values["newest_updated_at"]
    return Profile(
        total=int(values["total"]),
        ids_well_formed=int(values["ids_well_formed"]),
        genders_mapped=int(values["genders_mapped"]),
        birth_dates_valid=int(values["birth_dates_valid"]),
        source_keys_present=int(values["source_keys_present"]),
        full_names_present=int(values["full_names_present"]),
        keys_repeated=int(values["keys_repeated"]),
        names_garbled=int(values["names_garbled"]),
        newest_updated_at=None if newest is None else datetime.fromtimestamp(float(newest), UTC),
    )
