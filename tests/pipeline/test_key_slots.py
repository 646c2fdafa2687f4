"""A split run's buckets are stretches of key slots: the plan's ranges and the SQL macros agree.

The register snapshot is stored in key-slot order, and a bucket reads only the persons of its own
stretch (``plan.slot_range``), while the plan puts each record in the bucket ``slot_bucket`` gives
its key (``macros.sql``). If the two disagreed, a record's register person would lie outside the
stretch its bucket reads, and the record would fail to link.
"""

import pytest

from popsync.db.duck import duckdb_session
from popsync.pipeline.plan import KEY_SLOTS, slot_range
from popsync.sectors.model import MAX_BUCKETS


@pytest.mark.parametrize("buckets", [1, 2, 3, 4, 7, 9, 10, 31, MAX_BUCKETS])
def test_every_slot_lies_in_the_stretch_of_its_bucket(buckets: int) -> None:
    with duckdb_session(task=False) as duck:
        rows = duck.sql(f"SELECT slot_bucket(range::INTEGER, {buckets}) FROM range({KEY_SLOTS}) ORDER BY range")
        bucket_of = [bucket for (bucket,) in rows.fetchall()]
    stretches = [slot_range(bucket, buckets) for bucket in range(buckets)]
    assert stretches[0][0] == 0 and stretches[-1][1] == KEY_SLOTS - 1
    for bucket, (first, last) in enumerate(stretches):
        assert first <= last
        assert set(bucket_of[first : last + 1]) == {bucket}  # every slot of the stretch is the bucket's
        if bucket:
            assert stretches[bucket - 1][1] == first - 1  # stretches follow one another, none overlap
    sizes = [last - first + 1 for first, last in stretches]
    assert max(sizes) - min(sizes) <= 1  # balanced to one slot


def _two_numbers(query: str) -> tuple[int, int]:
    """The one row of two integers ``query`` returns, in a session with popsync's macros."""
    with duckdb_session(task=False) as duck:
        row = duck.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_key_slots_spread_ids_evenly_over_buckets() -> None:
    low, high = _two_numbers(
        "SELECT min(n), max(n) FROM (SELECT slot_bucket(key_slot(lpad(range::VARCHAR, 12, '0')), 9) AS bucket, "
        "count(*) AS n FROM range(90000) GROUP BY bucket)"
    )
    assert 9000 < low <= high < 11000  # 10,000 each on average


def test_a_bucket_outside_the_run_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        slot_range(3, 3)


def test_a_buckets_keys_keep_their_own_hash_spread() -> None:
    # DuckDB's join and aggregate tables place a key by the low bits of its hash: the keys of one
    # bucket must not share them, or every table of the bucket crowds into a fraction of its slots
    # (a slot taken from those same bits confined bucket 0 of 9 to 7,282 of the 65,536 values)
    spread, keys = _two_numbers(
        "SELECT count(DISTINCT hash(key) % 65536), count(*) FROM (SELECT lpad(range::VARCHAR, 12, '0') AS key "
        "FROM range(200000)) WHERE slot_bucket(key_slot(key), 9) = 0"
    )
    assert 20000 < keys < 24500
    assert spread > 17000  # about 18,900 expected of keys spread at random; at most 7,282 if confined
