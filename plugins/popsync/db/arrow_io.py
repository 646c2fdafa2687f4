"""Arrow transfers between PostgreSQL and DuckDB through ADBC (binary COPY underneath)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import adbc_driver_postgresql.dbapi as adbc
import pyarrow as pa

from popsync.db.connections import postgres_url

BATCH_ROWS = 131_072


@contextmanager
def adbc_connection(conn_id: str) -> Iterator[adbc.Connection]:
    """An ADBC connection to the PostgreSQL database of an Airflow connection id."""
    conn = adbc.connect(postgres_url(conn_id))
    try:
        yield conn
    finally:
        conn.close()


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


def ingest(conn: adbc.Connection, schema: str, table: str, data: pa.RecordBatchReader) -> int:
    """Append a stream of batches to an existing table; returns the row count (not committed)."""
    with conn.cursor() as cur:
        return int(cur.adbc_ingest(table, data, mode="append", db_schema_name=schema))
