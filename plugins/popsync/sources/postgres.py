"""PostgreSQL sources: the dataset's query wrapped to yield the staging columns, read through ADBC.

One network crossing: the ADBC driver streams the query's result with binary COPY into
Arrow batches, which the worker consumes as they come (bounded memory).
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pyarrow as pa
from psycopg import sql

from popsync.db.arrow_io import adbc_connection
from popsync.db.identifiers import quoted
from popsync.db.redact import describe_error
from popsync.sources.source_errors import SourceError
from popsync.sources.staging import STAGING_COLUMNS


def postgres_query(body: str, mapping: Mapping[str, str | None]) -> str:
    """The query ``body`` wrapped so that it yields the staging columns with their types."""
    body = body.strip().rstrip(";")
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
def postgres_reader(conn_id: str, body: str, mapping: Mapping[str, str | None]) -> Iterator[pa.RecordBatchReader]:
    """The staging records of ``body`` on the PostgreSQL database of ``conn_id``, read once."""
    with adbc_connection(conn_id) as source:
        try:
            reader = source.read(postgres_query(body, mapping))
        except Exception as exc:
            # the database's message may quote a record's values: keep a safe description only
            raise SourceError(describe_error(exc)) from None
        yield reader
