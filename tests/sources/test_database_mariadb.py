"""SQLAlchemy sources on a real MariaDB server: its conventions, server-side streaming, errors."""

import importlib.util
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from popsync.db.sql_files import read_sql
from popsync.sources.source_errors import SourceError
from popsync.sources.sqlalchemy_reader import database_reader, engine_for
from popsync.sources.staging import STAGING_SCHEMA
from tests.sources.cards import CARDS, COLUMNS
from tests.sources.mariadb_server import MariaDB

pytestmark = pytest.mark.integration
QUERY = read_sql("sources/examples/mariadb_cards.sql")
DATABASE = "bhyt_tinh"
MANY = 5_000


@pytest.fixture(scope="module")
def cards_url(mariadb: MariaDB) -> Iterator[str]:
    with mariadb.connect() as conn, conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET latin1")
        cursor.execute(f"USE {DATABASE}")
        cursor.execute(read_sql("sources/examples/mariadb_schema.sql"))
        cursor.executemany("INSERT INTO the_bhyt_tinh VALUES (%s, %s, %s, %s, %s, %s, %s)", CARDS)
        start = datetime(2026, 1, 1)
        cursor.executemany(
            "INSERT INTO the_bhyt_tinh VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (f"ZZ-{n:06d}", f"0010900{n:05d}", "Phạm Thị Mỹ Duyên", date(1990, 1, 1), 1 + n % 2, n % 2,
                 start + timedelta(minutes=n))
                for n in range(MANY)
            ],
        )  # fmt: skip
    yield mariadb.url(DATABASE)


@pytest.mark.parametrize("driver", ["pymysql", "mysqldb"])
def test_mariadb_conventions_become_staging_columns(cards_url: str, driver: str) -> None:
    if driver == "mysqldb" and importlib.util.find_spec("MySQLdb") is None:
        pytest.skip("mysqlclient is not installed (optional: `uv sync --extra mysql`, needs libmariadb-dev)")
    url = cards_url.replace("+pymysql", f"+{driver}")
    with database_reader(url, QUERY + " ORDER BY ma_the", COLUMNS, timezone="Asia/Ho_Chi_Minh") as reader:
        table = reader.read_all()
    assert table.schema == STAGING_SCHEMA and table.num_rows == len(CARDS) + MANY
    rows = {row["source_key"]: row for row in table.to_pylist()}
    first, second, third = rows["HN-é001"], rows["HN-é002"], rows["HN-003"]  # latin1 keys, intact
    assert first["full_name"] == "Nguyễn Thị Hồng Nhung" and third["full_name"] == "Lê Ánh 😀"  # utf8mb4
    assert (first["birth_date"], first["gender"], first["national_id"]) == ("1990-03-07", "2", "001090012345")
    assert (first["is_active"], second["is_active"]) == (True, False)  # TINYINT(1)
    assert first["updated_at"] == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # DATETIME in UTC+7
    assert second["updated_at"] == datetime(2026, 11, 19, 16, 59, 59, tzinfo=UTC)
    assert (third["birth_date"], third["gender"], third["updated_at"]) == (None, None, None)


def test_the_result_streams_through_a_server_side_cursor(cards_url: str) -> None:
    with database_reader(cards_url, QUERY, COLUMNS, batch_rows=1_000) as reader:
        sizes = [batch.num_rows for batch in reader]
    assert sum(sizes) == len(CARDS) + MANY
    assert max(sizes) == 1_000 and len(sizes) == -(-(len(CARDS) + MANY) // 1_000)
    engine = engine_for(cards_url)
    try:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=10).execute(sa.text(QUERY))
            assert type(result.cursor).__name__ == "SSCursor"  # unbuffered: rows stay on the server
            result.close()
    finally:
        engine.dispose()


def test_a_wrong_password_is_a_source_error_without_the_password(mariadb: MariaDB) -> None:
    url = mariadb.url(DATABASE).replace(mariadb.password, "not-the-password")
    with pytest.raises(SourceError, match="cannot connect") as failed, database_reader(url, QUERY, COLUMNS):
        pass
    assert "not-the-password" not in str(failed.value)


def test_a_query_error_names_no_value(cards_url: str) -> None:
    with pytest.raises(SourceError, match="the source query failed") as failed:
        _open(cards_url, "SELECT * FROM the_bhyt_tinh WHERE ho_ten = 'Trần Văn Đức' AND nope", COLUMNS)
    assert "Trần" not in str(failed.value)


def _open(url: str, query: str, mapping: dict[str, str]) -> None:
    with database_reader(url, query, mapping):
        pass
