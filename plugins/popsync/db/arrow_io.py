"""Arrow transfers between PostgreSQL and the worker through ADBC (binary COPY underneath).

Uses the ADBC driver manager's low-level API rather than its DB-API module: the DB-API
module imports ``pyarrow.dataset`` and with it pandas, 0.8 s in every process that reads
or writes records, for features popsync does not use. For the same reason parameters are
bound as Arrow arrays built from their bytes: converting Python objects with ``pa.array``
makes pyarrow import pandas.
"""

from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import adbc_driver_manager
import adbc_driver_postgresql
import pyarrow as pa

from popsync.db.connections import postgres_url

BATCH_ROWS = 131_072

_INGEST_TABLE = "adbc.ingest.target_table"
_INGEST_SCHEMA = "adbc.ingest.target_db_schema"
_INGEST_MODE = "adbc.ingest.mode"
_APPEND = "adbc.ingest.mode.append"


class ArrowConnection:
    """One PostgreSQL session that reads and writes Arrow record batches, in one transaction.

    Nothing is committed until :meth:`commit`; closing without it rolls back.
    """

    def __init__(self, url: str) -> None:
        self._database = adbc_driver_postgresql.connect(url)
        try:
            self._connection = adbc_driver_manager.AdbcConnection(self._database)
        except BaseException:
            self._database.close()
            raise
        self._connection.set_autocommit(False)
        self._statements: list[adbc_driver_manager.AdbcStatement] = []

    def _statement(self) -> adbc_driver_manager.AdbcStatement:
        # kept open until the connection closes: a result stream reads through its statement
        statement = adbc_driver_manager.AdbcStatement(self._connection)
        self._statements.append(statement)
        return statement

    def read(self, query: str, parameters: Sequence[str] = ()) -> pa.RecordBatchReader:
        """The result of ``query`` (``$1``, ``$2``… bound to text ``parameters``) as a stream of batches."""
        statement = self._statement()
        statement.set_sql_query(query)
        if parameters:
            columns = [_text_array(value) for value in parameters]
            statement.bind(pa.RecordBatch.from_arrays(columns, names=[str(i) for i in range(len(columns))]))
        stream, _ = statement.execute_query()
        return pa.RecordBatchReader.from_stream(stream)

    def execute(self, statement: str) -> None:
        """Run one statement that returns no rows (``SET TRANSACTION …``), in the session's transaction."""
        command = self._statement()
        command.set_sql_query(statement)
        command.execute_update()

    def ingest(self, schema: str, table: str, data: pa.RecordBatchReader) -> int:
        """Append a stream of batches to an existing table; returns the row count (not committed)."""
        statement = self._statement()
        statement.set_options(**{_INGEST_TABLE: table, _INGEST_SCHEMA: schema, _INGEST_MODE: _APPEND})
        statement.bind_stream(data)
        return int(statement.execute_update())

    def commit(self) -> None:
        self._connection.commit()

    def close(self) -> None:
        for statement in reversed(self._statements):
            statement.close()
        self._statements.clear()
        try:
            self._connection.rollback()
        finally:
            self._connection.close()
            self._database.close()


def _text_array(value: str) -> pa.Array:
    """A one-element Arrow string array, built from the value's UTF-8 bytes."""
    if not isinstance(value, str):
        raise TypeError(f"query parameters are text; got {type(value).__name__}")
    data = value.encode("utf-8")
    offsets = pa.py_buffer(array("i", [0, len(data)]).tobytes())
    return pa.StringArray.from_buffers(1, offsets, pa.py_buffer(data))


@contextmanager
def arrow_connection(url: str) -> Iterator[ArrowConnection]:
    """An :class:`ArrowConnection` to a database URL, closed (uncommitted work rolled back) on exit."""
    conn = ArrowConnection(url)
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def adbc_connection(conn_id: str) -> Iterator[ArrowConnection]:
    """An :class:`ArrowConnection` to the PostgreSQL database of an Airflow connection id."""
    with arrow_connection(postgres_url(conn_id)) as conn:
        yield conn


def with_json_columns(reader: pa.RecordBatchReader, json_columns: Sequence[str]) -> pa.RecordBatchReader:
    """Mark string columns as Arrow JSON so that ADBC writes them into jsonb columns."""
    schema = reader.schema
    indexes = [schema.get_field_index(name) for name in json_columns]
    target = schema
    for index in indexes:
        target = target.set(index, pa.field(schema.field(index).name, pa.json_()))

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            columns = list(batch.columns)
            for index in indexes:
                columns[index] = pa.ExtensionArray.from_storage(pa.json_(), columns[index])
            yield pa.RecordBatch.from_arrays(columns, schema=target)

    return pa.RecordBatchReader.from_batches(target, batches())
