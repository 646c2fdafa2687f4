"""Extract: read a dataset from its sector database straight into the worker's DuckDB.

One network crossing: the ADBC driver streams the query's result with binary COPY into
Arrow batches, which DuckDB consumes as they come (bounded memory). Nothing is staged in
the warehouse.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
from psycopg import sql

from popsync.db.arrow_io import adbc_connection
from popsync.db.identifiers import quoted
from popsync.db.redact import describe_error
from popsync.db.sql_files import read_sql
from popsync.pipeline.faults import kill_point
from popsync.pipeline.run import DatasetRun

STAGING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_key", "text"),
    ("national_id", "text"),
    ("full_name", "text"),
    ("birth_date", "text"),
    ("gender", "text"),
    ("is_active", "boolean"),
    ("updated_at", "timestamptz"),
)


class ExtractError(RuntimeError):
    """The extract query failed against the sector database."""


def extract_query(run: DatasetRun) -> str:
    """The dataset's extract SQL wrapped so that it yields the standard columns."""
    body = read_sql(run.dataset.extract_sql).strip().rstrip(";")
    mapping = run.dataset.columns.model_dump()
    selected = []
    for role, pg_type in STAGING_COLUMNS:
        column = mapping.get(role)
        source = sql.SQL("NULL") if column is None else sql.SQL("extracted.{}").format(quoted(column))
        selected.append(sql.SQL("{}::{} AS {}").format(source, sql.SQL(pg_type), sql.Identifier(role)))
    query = sql.SQL("WITH extracted AS (\n{body}\n)\nSELECT {columns} FROM extracted").format(
        body=sql.SQL(body),  # trusted file from include/sql, reviewed like code
        columns=sql.SQL(", ").join(selected),
    )
    return query.as_string(None)


@contextmanager
def extract_reader(run: DatasetRun) -> Iterator[pa.RecordBatchReader]:
    """The dataset's records as a stream of Arrow batches, read once."""
    with adbc_connection(run.sector.conn_id) as source:
        try:
            reader = source.read(extract_query(run))
        except Exception as exc:
            # the database's message may quote a record's values: keep a safe description only
            raise ExtractError(f"extract of {run.label} failed: {describe_error(exc)}") from None
        kill_point("extract")
        yield reader
