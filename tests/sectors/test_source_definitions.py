"""The `source:` of a dataset: database sources through SQLAlchemy; mistakes named with file and line."""

from pathlib import Path

import pytest

from popsync.sectors import SectorConfigError, load_sector
from popsync.sectors.model import PostgresSource, SqlAlchemySource

DATABASE_SOURCE = """\
sector: provincial
title: Provincial cards
owner: tests
source_conn_id: popsync_source_provincial_mariadb
datasets:
  cards:
    title: Cards
    source:
      kind: sqlalchemy
      query: sources/examples/mariadb_cards.sql
      batch_rows: 50000
      timezone: Asia/Ho_Chi_Minh
    columns:
      source_key: ma_the
      national_id: so_dinh_danh
      full_name: ho_ten
      birth_date: ngay_sinh
      gender: gioi_tinh
      is_active: con_hieu_luc
    birth_date_formats: [yyyy-mm-dd]
    genders: {"1": M, "2": F}
"""


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "provincial.yaml"
    path.write_text(text, encoding="utf-8")
    return load_sector(path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(SectorConfigError) as failed:
        _load(tmp_path, text)
    return str(failed.value)


def test_a_database_source_loads(tmp_path: Path) -> None:
    sector = load_sector(_write(tmp_path, DATABASE_SOURCE))
    source = sector.datasets[0].source_definition
    assert isinstance(source, SqlAlchemySource)
    assert (source.query, source.batch_rows, source.timezone) == ("sources/examples/mariadb_cards.sql", 50_000,
                                                                  "Asia/Ho_Chi_Minh")  # fmt: skip
    assert source.conn_id is None and sector.conn_id == "popsync_source_provincial_mariadb"


def test_extract_sql_is_a_postgres_source(tmp_path: Path) -> None:
    text = DATABASE_SOURCE.replace(
        "    source:\n      kind: sqlalchemy\n      query: sources/examples/mariadb_cards.sql\n"
        "      batch_rows: 50000\n      timezone: Asia/Ho_Chi_Minh\n",
        "    extract_sql: sources/health_insurance/cards.sql\n",
    )
    source = load_sector(_write(tmp_path, text)).datasets[0].source_definition
    assert source == PostgresSource(kind="postgres", query="sources/health_insurance/cards.sql")


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        ("kind: sqlalchemy", "kind: mysql", 9, "datasets.cards.source.kind: unknown source kind"),
        ("kind: sqlalchemy", "kind: sqlalchmy", 9, "did you mean `sqlalchemy`"),
        ("      kind: sqlalchemy\n", "      kind: sqlalchemy\n      batch_row: 5\n", 10, "did you mean `batch_rows`"),
        ("mariadb_cards.sql", "missing.sql", 10, "does not exist"),
        ("batch_rows: 50000", "batch_rows: 0", 11, "greater than or equal to 1"),
        ("Asia/Ho_Chi_Minh", "Asia/Saigon_City", 12, "unknown time zone"),
        ("      kind: sqlalchemy\n", "      kind: sqlalchemy\n      conn: x\n", 10, "unknown field"),
        ("    source:\n", "    extract_sql: sources/health_insurance/cards.sql\n    source:\n", 6,
         "exactly one of `extract_sql` (PostgreSQL) and `source`"),
    ],
)  # fmt: skip
def test_source_mistakes_name_file_and_line(tmp_path: Path, old: str, new: str, line: int, expected: str) -> None:
    assert old in DATABASE_SOURCE
    message = _error(tmp_path, DATABASE_SOURCE.replace(old, new, 1))
    assert f"provincial.yaml:{line}:" in message and expected in message, message


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "provincial.yaml"
    path.write_text(text, encoding="utf-8")
    return path
