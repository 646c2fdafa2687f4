"""The register persons the plan writes for each bucket (include/sql/duckdb/bucket_registers.sql).

Each bucket must get exactly the persons its records can link to (linkable_persons.sql's set for
them) and every person its suggestion search can reach: one ID slip away from, or in the whole name
block of, a record that does not link, wherever those persons' own records are.
"""

from datetime import date

import duckdb
import pytest

from popsync.db.duck import duckdb_session
from popsync.db.sql_files import read_sql
from popsync.pipeline.reconcile import with_id_variants

A, B, C, D, E = "001090000001", "001090000010", "001090000002", "079185000777", "001090000003"
PERSONS = [
    # national_id, former_cmnd, name_key, birth_date, gender
    (A, None, "nguyen van an", date(1990, 1, 1), "M"),
    (B, "123456789", "nguyen van an", date(1991, 5, 1), "M"),  # another block than A and E
    (C, None, "tran thi binh", date(1980, 1, 1), "F"),
    (D, "987654321", "le van cuong", date(1985, 2, 2), "M"),
    (E, None, "nguyen van an", date(1990, 9, 9), "M"),  # no record: reached by its block only
]
RECORDS = [
    # national_id, id_kind, name_key, gender, birth_date, birth_date_valid, bucket
    (A, "cccd", "nguyen van an", "M", date(1990, 1, 1), True, 0),
    ("123456789", "cmnd", "nguyen van an", "M", date(1991, 5, 1), True, 1),  # B through the former CMND
    ("001090000100", "cccd", "tran thi binh", "F", date(1980, 1, 1), True, 2),  # B's ID, two digits swapped
    ("zz12", "invalid", "nguyen van an", "M", date(1990, 3, 3), True, 2),  # A and E's block
    ("987654321", "cmnd", "le van cuong", None, date(1985, 2, 2), True, 2),  # D; no gender: no search
    ("111111111", "cmnd", "pham thi dung", "F", date(1970, 1, 1), True, 0),  # nobody's former CMND
]


def _session_with_split(duck: duckdb.DuckDBPyConnection) -> None:
    duck.execute(
        "CREATE TABLE persons (national_id VARCHAR, former_cmnd VARCHAR, name_key VARCHAR, birth_date DATE, "
        "gender VARCHAR)"
    )
    duck.executemany("INSERT INTO persons VALUES (?, ?, ?, ?, ?)", PERSONS)
    duck.execute(
        "CREATE TABLE bucket_records (national_id VARCHAR, id_kind VARCHAR, name_key VARCHAR, gender VARCHAR, "
        "birth_date DATE, birth_date_valid BOOLEAN, bucket INTEGER)"
    )
    duck.executemany("INSERT INTO bucket_records VALUES (?, ?, ?, ?, ?, ?, ?)", RECORDS)
    duck.execute("CREATE TABLE normalised AS SELECT * EXCLUDE (bucket) FROM bucket_records")
    candidates = read_sql("duckdb/legacy_candidates.sql").replace("persons_source", "persons")
    duck.execute(f"CREATE TABLE legacy_candidates AS {candidates}")
    duck.execute(f"CREATE TABLE legacy_ids AS {read_sql('duckdb/legacy_ids.sql')}")
    links = read_sql("duckdb/plan_links.sql").replace("persons_source", "persons")
    duck.execute(f"CREATE TABLE dataset_links AS {links}")
    registers = with_id_variants(read_sql("duckdb/bucket_registers.sql")).replace("persons_source", "persons")
    duck.execute(f"CREATE TABLE written AS {registers}")


def _bucket(duck: duckdb.DuckDBPyConnection, bucket: int) -> dict[str, bool]:
    """What one bucket reads (bucket_register.sql over its rows): national_id -> linkable."""
    duck.execute(
        f"CREATE OR REPLACE VIEW bucket_persons AS SELECT * EXCLUDE (bucket) FROM written WHERE bucket = {bucket}"
    )
    rows = duck.execute(f"SELECT national_id, linkable FROM ({read_sql('duckdb/bucket_register.sql')})").fetchall()
    assert len(rows) == len({national_id for national_id, _ in rows}), "one row per person"
    return dict(rows)


def _linkable_persons(duck: duckdb.DuckDBPyConnection, bucket: int) -> set[str]:
    """linkable_persons.sql for the bucket's records, as an unsplit run computes it."""
    duck.execute(
        "CREATE OR REPLACE TABLE wanted_ids AS SELECT DISTINCT national_id FROM bucket_records "
        f"WHERE id_kind IN ('cccd', 'cmnd') AND bucket = {bucket}"
    )
    linkable = read_sql("duckdb/linkable_persons.sql").replace("persons_source", "persons")
    return {national_id for (national_id, *_) in duck.execute(linkable).fetchall()}


@pytest.mark.parametrize(
    ("bucket", "reached"),
    [
        (0, {A}),
        (1, {B}),
        # D linkable; B by the slip (B links in bucket 1), C by the slipped record's name block,
        # A and E by the invalid ID's whole name block (A links in bucket 0, E has no record)
        (2, {A, B, C, D, E}),
    ],
)
def test_each_bucket_gets_its_linkable_persons_and_what_its_search_can_reach(bucket: int, reached: set[str]) -> None:
    with duckdb_session(task=False) as duck:
        _session_with_split(duck)
        persons = _bucket(duck, bucket)
        assert {national_id for national_id, linkable in persons.items() if linkable} == _linkable_persons(duck, bucket)
        assert set(persons) == reached


def test_a_record_that_links_reaches_no_block() -> None:
    """The cccd record of A links: its name block (with E) is not searched for it."""
    with duckdb_session(task=False) as duck:
        _session_with_split(duck)
        assert set(_bucket(duck, 0)) == {A}
