"""The lifecycle statement on hand-made run tables (real PostgreSQL, no DAG): every transition, re-runs, dates."""

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from popsync.review.lifecycle import LifecycleCounts, LifecycleError, RunTables, apply_run
from popsync.settings import Settings

SECTOR, DATASET = "lifecycle_sql", "records"
_TABLES = itertools.count()
D = [datetime(2030, 1, day, tzinfo=UTC) for day in range(1, 8)]


@pytest.fixture
def conn(server_url: str, settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    from popsync.pipeline.warehouse import ensure_warehouse_schema

    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as connection:
        ensure_warehouse_schema(connection)
        yield connection
        connection.rollback()


def _run(conn: psycopg.Connection[Any], date: datetime, mismatched: dict[str, list[str]], matched: list[str]) -> Any:
    tag = f"t{next(_TABLES)}"
    conn.execute(f"CREATE TEMP TABLE m_{tag} (source_key text, reasons text[]) ON COMMIT DROP")
    conn.execute(f"CREATE TEMP TABLE k_{tag} (source_key text) ON COMMIT DROP")
    with conn.cursor() as cur:
        cur.executemany(f"INSERT INTO m_{tag} VALUES (%s, %s)", list(mismatched.items()))
        cur.executemany(f"INSERT INTO k_{tag} VALUES (%s)", [(key,) for key in matched])
    schema = conn.execute("SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()").fetchone()
    assert schema is not None
    run = RunTables(SECTOR, DATASET, f"run_{tag}", date, (schema[0], f"k_{tag}"), (schema[0], f"m_{tag}"))
    return apply_run(conn, run)


def _rows(conn: psycopg.Connection[Any]) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT source_key, status, first_seen, last_seen, resolved_at, resolution, reopened_count, "
        "current_reasons, previous_reasons FROM sync.mismatch_lifecycle_seen WHERE sector = %s ORDER BY source_key",
        (SECTOR,),
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _everything(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT * FROM sync.mismatch_lifecycle_seen WHERE sector = %s ORDER BY 3", (SECTOR,)).fetchall()


def test_transitions_reruns_and_older_dates(conn: psycopg.Connection[Any]) -> None:
    conn.execute("DELETE FROM sync.mismatch_lifecycle WHERE sector = %s", (SECTOR,))
    conn.execute("DELETE FROM sync.lifecycle_runs WHERE sector = %s", (SECTOR,))
    a, b = ["NAME_MISMATCH"], ["DOB_MISMATCH"]
    assert _run(conn, D[0], {"k1": a, "k2": a, "k3": b}, ["k4"]) == LifecycleCounts(3, 0, 0, 3)
    # k1 fixed (matched), k2 removed, k3 reasons change, k4 breaks
    assert _run(conn, D[1], {"k3": a, "k4": b}, ["k1"]) == LifecycleCounts(1, 2, 0, 2)
    rows = _rows(conn)
    assert rows["k1"] == ("resolved", D[0], D[0], D[1], "fixed", 0, a, None)
    assert rows["k2"] == ("resolved", D[0], D[0], D[1], "removed", 0, a, None)
    assert rows["k3"] == ("open", D[0], D[1], None, None, 0, a, b)
    assert rows["k4"] == ("open", D[1], D[1], None, None, 0, b, None)
    state = _everything(conn)
    # a re-run of D[1] with other data, then with the same data again: back to the same rows
    assert _run(conn, D[1], {"k1": a, "k5": a}, ["k3", "k4"]) == LifecycleCounts(1, 2, 0, 2)
    assert set(_rows(conn)) == {"k1", "k2", "k3", "k5"}  # k4 was created by the replaced run only
    assert _run(conn, D[1], {"k3": a, "k4": b}, ["k1"]) == LifecycleCounts(1, 2, 0, 2)
    assert [row[:-4] for row in _everything(conn)] == [row[:-4] for row in state]  # but run_id, applied_*
    # k1 and k2 come back: reopened
    assert _run(conn, D[2], {"k1": b, "k2": a, "k3": a, "k4": b}, []) == LifecycleCounts(0, 0, 2, 4)
    rows = _rows(conn)
    assert rows["k1"] == ("open", D[0], D[2], None, None, 1, b, a)
    assert rows["k2"] == ("open", D[0], D[2], None, None, 1, a, None)
    with pytest.raises(LifecycleError, match="older logical date"):
        _run(conn, D[1], {}, [])
