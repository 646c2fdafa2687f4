"""Extract: stream a dataset from its sector database into a warehouse staging table.

Rows move source -> warehouse with binary COPY on both ends, chunk by chunk, so memory
stays flat whatever the table size.
"""

import logging

from psycopg import sql

from popsync.db.connections import connect
from popsync.db.identifiers import quoted
from popsync.db.sql_files import read_sql
from popsync.pipeline.faults import kill_point
from popsync.pipeline.janitor import register_run_table, sweep_dataset
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.settings import WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)

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


def extract_query(run: DatasetRun) -> sql.Composed:
    """The dataset's extract SQL wrapped so that it yields the standard staging columns."""
    body = read_sql(run.dataset.extract_sql).strip().rstrip(";")
    mapping = run.dataset.columns.model_dump()
    selected = []
    for role, pg_type in STAGING_COLUMNS:
        column = mapping.get(role)
        source = sql.SQL("NULL") if column is None else sql.SQL("extracted.{}").format(quoted(column))
        selected.append(sql.SQL("{}::{} AS {}").format(source, sql.SQL(pg_type), sql.Identifier(role)))
    return sql.SQL("WITH extracted AS (\n{body}\n)\nSELECT {columns} FROM extracted").format(
        body=sql.SQL(body),  # trusted file from include/sql, reviewed like code
        columns=sql.SQL(", ").join(selected),
    )


def create_staging_table(run: DatasetRun) -> None:
    schema, table = run.raw_table
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type)) for name, pg_type in STAGING_COLUMNS
    )
    with connect(WAREHOUSE_CONN_ID, autocommit=True) as conn:
        register_run_table(conn, run, "raw")
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(quoted(schema, table)))
        conn.execute(sql.SQL("CREATE UNLOGGED TABLE {} ({})").format(quoted(schema, table), columns))


def extract(run: DatasetRun) -> int:
    """Copy the dataset into ``staging``; return the number of rows extracted."""
    ensure_warehouse_schema()
    sweep_dataset(run)
    create_staging_table(run)
    schema, table = run.raw_table
    query = extract_query(run)
    copy_out = sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(query)
    copy_in = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(quoted(schema, table))
    with connect(run.sector.conn_id) as source, connect(WAREHOUSE_CONN_ID) as warehouse:
        source.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with source.cursor() as src_cur, warehouse.cursor() as dst_cur:
            try:
                with src_cur.copy(copy_out) as reader, dst_cur.copy(copy_in) as writer:
                    for chunk in reader:
                        writer.write(chunk)
            except Exception as exc:
                raise ExtractError(f"extract of {run.label} failed: {exc}") from exc
            rows = dst_cur.rowcount
        kill_point("extract")
        warehouse.commit()
    _log.info("extracted %d rows of %s into %s.%s", rows, run.label, schema, table)
    return rows
