"""Row hashes computed by a PostgreSQL source, and rows read by key (``sources/postgres.py``).

An incremental run of a PostgreSQL dataset trusts the source's hash to say which records
changed (``pipeline/keyed_extract.py``): every change of a mapped value must change it (NULL
against an empty string, a time stamp by a microsecond, a flag), a change of an unmapped column
must not, and the same rows must hash the same in another session with other settings. Reading
by key must return exactly the records asked for, whatever their keys hold.
"""

import json
from collections.abc import Iterator

import psycopg
import pytest

from popsync.db.arrow_io import arrow_connection
from popsync.settings import Settings
from popsync.sources.postgres import key_type_query, postgres_query

DATABASE = "popsync_row_hash_check"
BODY = "SELECT code, person_id, name, born, sex, in_force, changed, note FROM cards"
MAPPING = {
    "source_key": "code",
    "national_id": "person_id",
    "full_name": "name",
    "birth_date": "born",
    "gender": "sex",
    "is_active": "in_force",
    "updated_at": "changed",
    "death_date": None,
}
KEYS = ("A1", "a'1", 'q"2', "back\\slash", "Đức ", "x,y")


@pytest.fixture(scope="module")
def url(server_url: str, settings: Settings) -> Iterator[str]:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    address = settings.database_url_for(DATABASE)
    with psycopg.connect(address, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE cards (code char(12), person_id text, name varchar(80), born date, sex text, "
            "in_force boolean, changed timestamp, note text)"
        )
        for n, key in enumerate(KEYS):
            conn.execute(
                "INSERT INTO cards VALUES (%s, '001085012345', 'Nguyễn Văn An', '1985-03-01', 'Nam', true, "
                "'2026-11-20 07:00:00', %s)",
                (key, f"note {n}"),
            )
        conn.execute("INSERT INTO cards VALUES (NULL, '001085012346', 'Trần Thị Bình', NULL, '', NULL, NULL, 'no key')")
    yield address
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _hashes(url: str, setup: str = "SELECT 1") -> dict[str | None, int]:
    with arrow_connection(url) as conn:
        conn.execute(setup)
        table = conn.read(f"SELECT source_key, row_hash FROM ({postgres_query(BODY, MAPPING, row_hash=True)}) AS s")
        return {row["source_key"]: row["row_hash"] for row in table.read_all().to_pylist()}


def _change(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


CHANGES = (
    ("name", "'Nguyễn Văn Ân'", "'Nguyễn Văn An'"),
    ("sex", "NULL", "'Nam'"),
    ("in_force", "false", "true"),
    ("changed", "changed + interval '1 microsecond'", "'2026-11-20 07:00:00'"),
    ("born", "'1985-03-02'", "'1985-03-01'"),
)


@pytest.mark.parametrize(("column", "changed", "original"), CHANGES)
def test_every_change_of_a_mapped_value_changes_the_hash(url: str, column: str, changed: str, original: str) -> None:
    before = _hashes(url)
    _change(url, f"UPDATE cards SET {column} = {changed} WHERE code = 'A1'")
    try:
        after = _hashes(url)
    finally:
        _change(url, f"UPDATE cards SET {column} = {original} WHERE code = 'A1'")
    assert after["A1"] != before["A1"]
    assert {key: value for key, value in after.items() if key != "A1"} == {
        key: value for key, value in before.items() if key != "A1"
    }
    assert _hashes(url) == before, "undone, the hash is the one before"


def test_null_and_an_empty_string_hash_apart(url: str) -> None:
    before = _hashes(url)["A1"]
    _change(url, "UPDATE cards SET sex = '' WHERE code = 'A1'")
    empty = _hashes(url)["A1"]
    _change(url, "UPDATE cards SET sex = NULL WHERE code = 'A1'")
    null = _hashes(url)["A1"]
    _change(url, "UPDATE cards SET sex = 'Nam' WHERE code = 'A1'")
    assert len({before, empty, null}) == 3


def test_unmapped_columns_and_session_settings_leave_the_hash(url: str) -> None:
    before = _hashes(url)
    _change(url, "UPDATE cards SET note = note || ' changed'")
    assert _hashes(url) == before, "the note is no staging column"
    other_session = _hashes(url, "SET TimeZone = 'Asia/Ho_Chi_Minh'")
    assert other_session == before, "a session's time zone does not change a time stamp's hash"


def test_the_key_type_is_one_a_cast_keeps_whole(url: str) -> None:
    with arrow_connection(url) as conn:
        rows = conn.read(key_type_query(BODY, MAPPING)).read_all().to_pylist()
    assert rows == [{"key_type": "bpchar"}], "char(12) as bpchar: a cast to `character` would keep one letter"


@pytest.mark.parametrize(("key_type", "few_keys"), [(None, False), ("bpchar", False), ("bpchar", True)])
@pytest.mark.parametrize("with_null_keys", [True, False])
def test_rows_are_read_by_key_exactly(url: str, with_null_keys: bool, key_type: str | None, few_keys: bool) -> None:
    wanted = ["a'1", "back\\slash", "Đức", "not there"]  # char(12): the key reads back trimmed, like ::text
    with arrow_connection(url) as conn:
        query = postgres_query(BODY, MAPPING, row_hash=True, by_key=True, key_type=key_type, few_keys=few_keys)
        rows = conn.read(query, (json.dumps(wanted), "true" if with_null_keys else "false")).read_all().to_pylist()
        everything = conn.read(postgres_query(BODY, MAPPING, row_hash=True)).read_all().to_pylist()
    expected = [
        row for row in everything if row["source_key"] in wanted or (with_null_keys and row["source_key"] is None)
    ]
    key = lambda row: (row["source_key"] is None, row["source_key"] or "")  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)
    assert len(rows) == 3 + with_null_keys


def test_few_keys_are_looked_up_in_the_key_index(url: str) -> None:
    """A few keys of a large table: the index on the key serves them, not a scan of every row."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS big_cards")
        conn.execute(
            "CREATE TABLE big_cards AS SELECT lpad(n::text, 12, '0')::char(12) AS code, '001085012345' AS person_id, "
            "'Nguyễn Văn An'::varchar(80) AS name, DATE '1985-03-01' AS born, 'Nam' AS sex, true AS in_force, "
            "TIMESTAMP '2026-11-20 07:00:00' AS changed, ''::text AS note FROM generate_series(1, 50000) AS n"
        )
        conn.execute("ALTER TABLE big_cards ADD PRIMARY KEY (code)")
        conn.execute("ANALYZE big_cards")
        body = BODY.replace("FROM cards", "FROM big_cards")
        wanted = json.dumps([f"{n:012d}" for n in (7, 4_242, 31_337)])
        plans: dict[bool, str] = {}
        for few_keys in (True, False):
            query = postgres_query(body, MAPPING, row_hash=True, by_key=True, key_type="bpchar", few_keys=few_keys)
            explained = query.replace("$1", "%(wanted)s").replace("$2", "%(nulls)s")
            rows = conn.execute(f"EXPLAIN {explained}", {"wanted": wanted, "nulls": "false"}).fetchall()
            plans[few_keys] = "\n".join(str(row[0]) for row in rows)
            read = conn.execute(explained, {"wanted": wanted, "nulls": "false"}).fetchall()
            assert len(read) == 3
    # one index search for the array of keys; the planner's choice for the other form depends on the
    # table's size (at 3.5M cards it scanned the table: benchmarks/results/keyed-reads-4m-round13.md)
    assert "Index Cond: (code = ANY" in plans[True] and "Seq Scan on big_cards" not in plans[True], plans[True]


def test_a_type_name_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not a type name"):
        postgres_query(BODY, MAPPING, by_key=True, key_type="text); DROP TABLE cards; --")
