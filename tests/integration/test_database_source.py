"""A sector whose source is MariaDB, read through SQLAlchemy, through the real pipeline.

Register persons are written into a MariaDB table with that system's conventions (DATE,
DATETIME without a zone, TINYINT(1) for "in force", latin1 codes beside utf8mb4 names); the
real stages (reconcile -> quality gate -> publish) read it through an ``AIRFLOW_CONN_*`` URI
and publish the same results a PostgreSQL source would.
"""

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime

import psycopg
import pytest

from popsync.db.sql_files import read_sql
from popsync.pipeline.extract import ExtractError
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import publish_stage, quality_gate_stage, reconcile_stage
from popsync.settings import Settings
from tests.integration.sector_cleanup import forget_sector
from tests.sources.cards import sector
from tests.sources.mariadb_server import MariaDB

pytestmark = pytest.mark.integration
SECTOR = "provincial_mariadb"
CONN_ENV = "AIRFLOW_CONN_POPSYNC_SOURCE_PROVINCIAL_MARIADB"


@pytest.fixture(scope="module")
def persons(first_runs: object, settings: Settings, mariadb: MariaDB) -> Iterator[list[tuple[str, str, date, str]]]:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        chosen = conn.execute(
            "SELECT national_id, full_name, birth_date, gender FROM reference.persons "
            "WHERE birth_date_precision = 'day' AND NOT is_deceased AND full_name ~ '[^\\x01-\\x7e]' "
            "ORDER BY national_id LIMIT 60"
        ).fetchall()
    with mariadb.connect() as conn, conn.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS bhyt_pipeline")
        cursor.execute("CREATE DATABASE bhyt_pipeline CHARACTER SET latin1")
        cursor.execute("USE bhyt_pipeline")
        cursor.execute(read_sql("sources/examples/mariadb_schema.sql"))
        rows = [
            (f"HN-é{n:04d}", national_id, full_name, birth_date, 1 if gender == "M" else 2, n % 3 != 0,
             datetime(2026, 11, 20, 7, 0))
            for n, (national_id, full_name, birth_date, gender) in enumerate(chosen)
        ]  # fmt: skip
        rows[0] = (rows[0][0], rows[0][1], "Tên Khác Hẳn", *rows[0][3:])  # one name that does not match
        cursor.executemany("INSERT INTO the_bhyt_tinh VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    os.environ[CONN_ENV] = mariadb.url("bhyt_pipeline").replace("mysql+pymysql://", "mysql://")
    yield chosen
    os.environ.pop(CONN_ENV, None)
    forget_sector(settings, SECTOR)


def test_a_mariadb_sector_is_reconciled_and_published(
    persons: list[tuple[str, str, date, str]], settings: Settings
) -> None:
    definition = sector(SECTOR, "popsync_source_provincial_mariadb")
    run = DatasetRun(definition, definition.datasets[0], "manual__mariadb", datetime.now(UTC)).with_new_attempt()
    state = reconcile_stage(run, DatasetState())
    reconciled = state.need_reconciled()
    assert reconciled.extracted == len(persons)
    quality_gate_stage(run, state)
    published = publish_stage(run, state).published
    assert published is not None and published.published
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        matched = conn.execute("SELECT count(*) FROM sync.matches WHERE sector = %s", (SECTOR,)).fetchone()
        reasons = conn.execute(
            "SELECT source_key, reasons FROM sync.mismatches WHERE sector = %s", (SECTOR,)
        ).fetchall()
    assert dict(reasons) == {"HN-é0000": ["NAME_MISMATCH"]}
    assert matched is not None and matched[0] == len(persons) - 1


def test_an_undefined_connection_stops_the_run(persons: object) -> None:
    definition = sector("provincial_missing", "popsync_source_provincial_missing")
    run = DatasetRun(definition, definition.datasets[0], "manual__missing", datetime.now(UTC)).with_new_attempt()
    with pytest.raises(ExtractError, match="is not defined"):
        reconcile_stage(run, DatasetState())
