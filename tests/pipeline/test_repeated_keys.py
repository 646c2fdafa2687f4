"""Source keys held by several records: the gate's count (profile.sql) and the incremental run's
join of keys and hashes with its state (incremental/keyed_rows.sql), which reads a repeated key
again (DuckDB only)."""

from typing import Any

from popsync.db.sql_files import read_sql
from popsync.pipeline.normalise import create_normalised, profile
from tests.pipeline.helpers import LOGICAL_DATE, dataset, load_raw, session

KEYS = ("a", "a", "b", "c", "c", "c", None, None, "d")
"""Two keys repeated (2 and 3 records), two unique, two records without a key."""


def _rows() -> list[dict[str, Any]]:
    return [
        {"source_key": key, "national_id": "001080000001", "full_name": "NGUYỄN VĂN AN", "birth_date": "01/02/1980",
         "gender": "Nam"}
        for key in KEYS
    ]  # fmt: skip


def test_the_profile_counts_every_record_of_a_repeated_key_and_none_without_a_key() -> None:
    with session() as duck:
        load_raw(duck, _rows())
        create_normalised(duck, dataset(), LOGICAL_DATE.date())
        counted = profile(duck)
    assert counted.keys_repeated == 5
    assert counted.source_keys_present == 7
    assert counted.total == len(KEYS)


def test_the_profile_of_unique_keys_counts_none() -> None:
    with session() as duck:
        load_raw(duck, [{**row, "source_key": f"k{n}"} for n, row in enumerate(_rows())])
        create_normalised(duck, dataset(), LOGICAL_DATE.date())
        assert profile(duck).keys_repeated == 0


def test_the_key_join_reads_again_every_repeated_key_and_nothing_unchanged() -> None:
    with session() as duck:
        duck.execute("CREATE TABLE source_rows (source_key VARCHAR, row_hash BIGINT)")
        duck.executemany("INSERT INTO source_rows VALUES (?, ?)", [(key, 7) for key in KEYS])
        # the baseline held every key once, with the same hash: only the repeats are new
        duck.execute(
            "CREATE TABLE previous_state AS SELECT DISTINCT source_key, 7::BIGINT AS row_hash, 'cccd' AS id_kind, "
            "'001080000001' AS national_id, 'M' AS gender, true AS birth_date_valid, true AS has_full_name, "
            "false AS name_garbled, NULL::TIMESTAMPTZ AS updated_at FROM source_rows WHERE source_key IS NOT NULL"
        )
        rows = duck.execute(
            f"SELECT source_key, changed FROM ({read_sql('duckdb/incremental/keyed_rows.sql')}) "
            "WHERE source_key IS NOT NULL",
            {"repeats_before": False},
        ).fetchall()
    changed = {key for key, is_changed in rows if is_changed}
    unchanged = {key for key, is_changed in rows if not is_changed}
    assert changed == {"a", "c"}
    assert unchanged == {"b", "d"}
