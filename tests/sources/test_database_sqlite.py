"""SQLAlchemy sources on SQLite: typed staging batches, streamed in batches, clear errors."""

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from popsync.db.sql_files import read_sql
from popsync.sources.source_errors import SourceError
from popsync.sources.sqlalchemy_reader import database_reader
from popsync.sources.staging import STAGING_SCHEMA
from tests.sources.cards import CARDS, COLUMNS

QUERY = read_sql("sources/examples/mariadb_cards.sql")  # plain SQL: SQLite reads it too


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "cards.db"
    with sqlite3.connect(path) as conn:
        conn.execute(read_sql("sources/examples/sqlite_schema.sql"))
        conn.executemany(
            "INSERT INTO the_bhyt_tinh VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (k, i, n, None if b is None else b.isoformat(), g, a, None if u is None else u.isoformat(sep=" "))
                for k, i, n, b, g, a, u in CARDS
            ],
        )
    return f"sqlite:///{path}"


def _read(url: str, **options: object) -> pa.Table:
    with database_reader(url, QUERY, COLUMNS, **options) as reader:  # type: ignore[arg-type]
        return reader.read_all()


def test_rows_become_staging_columns(database: str) -> None:
    table = _read(database, timezone="Asia/Ho_Chi_Minh")
    assert table.schema == STAGING_SCHEMA
    rows = table.to_pylist()
    assert [row["source_key"] for row in rows] == ["HN-é001", "HN-é002", "HN-003"]
    assert rows[0]["full_name"] == "Nguyễn Thị Hồng Nhung" and rows[2]["full_name"] == "Lê Ánh 😀"
    assert [row["birth_date"] for row in rows] == ["1990-03-07", "1985-12-31", None]
    assert [row["gender"] for row in rows] == ["2", "1", None]
    assert [row["is_active"] for row in rows] == [True, False, True]
    # DATETIME without a zone is read in the source's zone (UTC+7)
    assert rows[0]["updated_at"] == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert rows[2]["updated_at"] is None


def test_the_result_streams_in_batches(database: str) -> None:
    with database_reader(database, QUERY, COLUMNS, batch_rows=2) as reader:
        sizes = [batch.num_rows for batch in reader]
    assert sizes == [2, 1]


def test_an_unmapped_role_is_null(database: str) -> None:
    mapping = {**COLUMNS, "updated_at": None, "is_active": None}
    with database_reader(database, QUERY, mapping) as reader:
        rows = reader.read_all().to_pylist()
    assert {row["is_active"] for row in rows} == {None}
    assert {row["updated_at"] for row in rows} == {None}


def test_a_missing_column_is_named(database: str) -> None:
    with pytest.raises(SourceError, match="no column so_cccd"):
        _open(database, QUERY, {**COLUMNS, "national_id": "so_cccd"})


def test_a_failing_query_says_so_without_values(database: str) -> None:
    with pytest.raises(SourceError, match="the source query failed") as failed:
        _open(database, "SELECT * FROM the_bhyt_tinh WHERE ho_ten = 'Nguyễn Thị' AND nope", COLUMNS)
    assert "Nguyễn" not in str(failed.value)


def test_a_value_that_is_not_a_boolean_stops_the_read(database: str) -> None:
    with sqlite3.connect(database.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE the_bhyt_tinh SET con_hieu_luc = 'maybe' WHERE ma_the = 'HN-003'")
    with pytest.raises(SourceError, match="is_active column holds a value that is not a boolean"):
        _read(database)


def test_an_unreachable_database_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"cannot connect|the source query failed"):
        _read(f"sqlite:///{tmp_path}/missing/dir/x.db")


def _open(url: str, query: str, mapping: dict[str, str]) -> None:
    with database_reader(url, query, mapping):
        pass
