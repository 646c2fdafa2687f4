"""Extract: read a dataset from its source straight into the worker's DuckDB.

The source's reader (:mod:`popsync.sources`) yields staging batches as they come; DuckDB
consumes them (bounded memory). Nothing is staged in the warehouse. A source that fails
part-way (a malformed file, a lost connection) stops the run before anything is written.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import pyarrow as pa

from popsync.db.arrow_io import adbc_connection
from popsync.db.connections import source_sqlalchemy_url
from popsync.db.redact import describe_error
from popsync.db.sql_files import read_sql
from popsync.pipeline.kill_points import kill_point
from popsync.pipeline.run import DatasetRun
from popsync.sectors.model import FileSource, PostgresSource
from popsync.sources.files import ReadFile, file_reader
from popsync.sources.locate import find_files
from popsync.sources.postgres import key_type_query, postgres_query, postgres_reader
from popsync.sources.source_errors import SourceError
from popsync.sources.sqlalchemy_reader import database_reader
from popsync.sources.staging import STAGING_COLUMNS

__all__ = [
    "STAGING_COLUMNS",
    "ExtractError",
    "extract_key_type_query",
    "extract_query",
    "extract_reader",
    "hashes_at_source",
]


class ExtractError(RuntimeError):
    """The dataset's source could not be read (the message is safe to log)."""


def extract_failed(run: DatasetRun, exc: BaseException) -> ExtractError:
    """The error for a failed read of ``run``'s source: one safe line about ``exc`` (the database's
    own message may quote a record's values)."""
    return ExtractError(f"extract of {run.label} failed: {describe_error(exc)}")


def hashes_at_source(run: DatasetRun) -> bool:
    """Whether the dataset's row hashes are computed by its source database: a PostgreSQL dataset
    that keeps incremental state (its later runs then read only keys and hashes, ``keyed_extract``),
    on a server that has ``hash_record_extended`` (PostgreSQL 14 or later; an older one's rows are
    read whole and hashed by the worker)."""
    source = run.dataset.source_definition
    if run.dataset.incremental is None or not isinstance(source, PostgresSource):
        return False
    with adbc_connection(source.conn_id or run.sector.conn_id) as connection:
        try:
            rows = connection.read(read_sql("sources/hashes_rows.sql")).read_all().to_pylist()
        except Exception as exc:  # an unreachable source: the extract itself will say so
            raise extract_failed(run, exc) from None
    return bool(rows and rows[0]["hashes_rows"])


def extract_query(
    run: DatasetRun,
    *,
    row_hash: bool = False,
    by_key: bool = False,
    key_type: str | None = None,
    few_keys: bool = False,
) -> str:
    """The PostgreSQL dataset's extract SQL wrapped so that it yields the standard columns (``row_hash``,
    ``by_key``, ``key_type``, ``few_keys``: as in :func:`popsync.sources.postgres.postgres_query`)."""
    source = run.dataset.source_definition
    if not isinstance(source, PostgresSource):
        raise TypeError(f"{run.label} is not a PostgreSQL source")
    mapping = run.dataset.columns.model_dump()
    return postgres_query(
        read_sql(source.query), mapping, row_hash=row_hash, by_key=by_key, key_type=key_type, few_keys=few_keys
    )


def extract_key_type_query(run: DatasetRun) -> str:
    """The query giving the PostgreSQL dataset's key column type (``sources/key_type.sql``)."""
    source = run.dataset.source_definition
    if not isinstance(source, PostgresSource):
        raise TypeError(f"{run.label} is not a PostgreSQL source")
    return key_type_query(read_sql(source.query), run.dataset.columns.model_dump())


def _source_reader(
    run: DatasetRun, read_files: list[ReadFile], *, row_hash: bool
) -> AbstractContextManager[pa.RecordBatchReader]:
    source = run.dataset.source_definition
    mapping = run.dataset.columns.model_dump()
    if isinstance(source, FileSource):
        files = find_files(source.path, run.logical_date.date(), source.conn_id)
        return file_reader(files, source, mapping, read_files)
    conn_id = source.conn_id or run.sector.conn_id
    if isinstance(source, PostgresSource):
        return postgres_reader(conn_id, read_sql(source.query), mapping, row_hash=row_hash)
    try:
        url = source_sqlalchemy_url(conn_id)
    except KeyError as exc:
        raise SourceError(str(exc.args[0])) from None
    return database_reader(url, read_sql(source.query), mapping, batch_rows=source.batch_rows, timezone=source.timezone)


class _Guard:
    """Remembers the first source error raised while the stream is consumed (DuckDB wraps it)."""

    def __init__(self) -> None:
        self.error: SourceError | None = None

    def watch(self, reader: pa.RecordBatchReader) -> pa.RecordBatchReader:
        def batches() -> Iterator[pa.RecordBatch]:
            try:
                yield from reader
            except SourceError as exc:
                self.error = exc
                raise

        return pa.RecordBatchReader.from_batches(reader.schema, batches())


@contextmanager
def extract_reader(
    run: DatasetRun, read_files: list[ReadFile] | None = None, *, row_hash: bool = False
) -> Iterator[pa.RecordBatchReader]:
    """The dataset's records as a stream of Arrow batches, read once.

    For a file source, each file read to its end is added to ``read_files`` (name, SHA-256).
    ``row_hash``: a PostgreSQL source adds each record's hash (:func:`hashes_at_source`).
    """
    guard = _Guard()
    try:
        with _source_reader(run, [] if read_files is None else read_files, row_hash=row_hash) as reader:
            kill_point("extract")
            yield guard.watch(reader)
    except SourceError as exc:
        raise ExtractError(f"extract of {run.label} failed: {exc}") from None
    except Exception:
        if guard.error is not None:
            raise ExtractError(f"extract of {run.label} failed: {guard.error}") from None
        raise
