"""Normalise: IDs, names, birth dates and genders into comparable values (DuckDB).

The normalised extract goes to two places: a Parquet file in the run's work folder, which
the reconcile step reads, and a staging table in the warehouse with the columns the
quality gate checks (and an operator may inspect).
"""

import logging
import unicodedata
from datetime import date

import duckdb
from psycopg import sql

from popsync.db.arrow_io import BATCH_ROWS, adbc_connection, ingest
from popsync.db.connections import connect
from popsync.db.identifiers import quoted, quoted_name
from popsync.db.sql_files import read_sql
from popsync.pipeline.duck import duckdb_session, sql_string
from popsync.pipeline.faults import kill_point
from popsync.pipeline.janitor import register_run_table
from popsync.pipeline.run import DatasetRun
from popsync.sectors.model import DatasetDefinition
from popsync.settings import WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)

CHECKED_COLUMNS = """
    source_key text, national_id text, id_kind text, id_problem text, full_name text, name_garbled boolean,
    birth_date date, birth_date_precision text, birth_date_valid boolean, gender text
"""


def gender_mapping_rows(dataset: DatasetDefinition) -> list[tuple[str, str]]:
    """The dataset's gender mapping with keys compared trimmed, NFC and lower-cased."""
    return [(unicodedata.normalize("NFC", raw).strip().lower(), code) for raw, code in dataset.genders.items()]


def normalised_relation(
    duck: duckdb.DuckDBPyConnection, dataset: DatasetDefinition, logical_date: date
) -> duckdb.DuckDBPyRelation:
    """Normalise the session's ``raw_extract`` table (columns as in staging) for ``dataset``."""
    duck.execute("CREATE OR REPLACE TABLE gender_mapping (raw_value VARCHAR PRIMARY KEY, gender VARCHAR)")
    duck.executemany("INSERT INTO gender_mapping VALUES (?, ?)", gender_mapping_rows(dataset))
    params = {"date_formats": list(dataset.birth_date_formats), "logical_date": logical_date}
    return duck.sql(read_sql("duckdb/normalise.sql"), params=params)


def normalise(run: DatasetRun) -> int:
    """Normalise the raw extract; write the Parquet hand-off and the checked columns; return rows."""
    raw_schema, raw_table = run.raw_table
    schema, table = run.normalised_table
    run.work_dir.mkdir(parents=True, exist_ok=True)
    with connect(WAREHOUSE_CONN_ID, autocommit=True) as conn:
        register_run_table(conn, run, "normalised")
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(quoted(schema, table)))
    with duckdb_session() as duck, adbc_connection(WAREHOUSE_CONN_ID) as pg:
        with pg.cursor() as cur:
            cur.execute(f"SELECT * FROM {quoted_name(raw_schema, raw_table)}")
            duck.register("raw_reader", cur.fetch_record_batch())
            duck.execute("CREATE TABLE raw_extract AS SELECT * FROM raw_reader")
            duck.unregister("raw_reader")
        normalised_relation(duck, run.dataset, run.logical_date.date()).create("normalised")
        duck.execute(f"COPY normalised TO {sql_string(run.normalised_file)} (FORMAT parquet, COMPRESSION snappy)")
        checked = duck.sql(f"SELECT {_column_names(CHECKED_COLUMNS)} FROM normalised").to_arrow_reader(BATCH_ROWS)
        with pg.cursor() as cur:
            cur.execute(f"CREATE UNLOGGED TABLE {quoted_name(schema, table)} ({CHECKED_COLUMNS})")
        rows = ingest(pg, schema, table, checked)
        kill_point("normalise")
        pg.commit()
    _log.info("normalised %d rows of %s", rows, run.label)
    return rows


def _column_names(ddl: str) -> str:
    return ", ".join(part.split()[0] for part in ddl.split(","))
