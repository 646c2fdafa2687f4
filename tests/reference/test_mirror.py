"""The register mirror: a full load first, then deltas by ``updated_at``, a full reload when the
mirror diverges; the Parquet snapshot is current only while it reflects the mirror.

Real PostgreSQL: a register and a warehouse of this module's own (the connections
``popsync_register`` / ``popsync_warehouse`` pointed at them), so the session's warehouse
and its snapshot are not touched.
"""

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import psycopg
import pytest

from popsync.db import duck as duck_module
from popsync.db.connections import connection_env_var
from popsync.db.databases import recreate_database
from popsync.db.duck import duckdb_session
from popsync.db.sql_files import read_sql
from popsync.pipeline.register_source import open_register
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.reference import snapshot
from popsync.reference.mirror import sync_reference
from popsync.settings import REGISTER_CONN_ID, WAREHOUSE_CONN_ID, Settings

REGISTER = "popsync_reftest_register"
WAREHOUSE = "popsync_reftest_warehouse"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _person(index: int, updated_at: datetime, name: str = "Nguyễn Văn An") -> tuple[object, ...]:
    return (
        f"0010{index:08d}",
        None,
        name,
        date(1980, 1, 1) + timedelta(days=index),
        "day",
        "M" if index % 2 else "F",
        "001",
        False,
        None,
        updated_at,
        None,
    )


@dataclasses.dataclass(frozen=True)
class Mirror:
    settings: Settings
    snapshot_file: Path

    def register(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.settings.database_url_for(REGISTER), autocommit=True)

    def mirrored(self) -> dict[str, str]:
        """national_id → full_name of the mirror."""
        with psycopg.connect(self.settings.database_url_for(WAREHOUSE)) as conn:
            rows = conn.execute("SELECT national_id, full_name FROM reference.persons").fetchall()
        return {str(national_id): str(name) for national_id, name in rows}


@pytest.fixture
def mirror(server_url: str, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mirror]:
    recreate_database(settings, REGISTER)
    recreate_database(settings, WAREHOUSE)
    with psycopg.connect(settings.database_url_for(REGISTER), autocommit=True) as conn:
        conn.execute(read_sql("register/schema.sql").encode())
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO dan_cu.persons VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [_person(index, T0 + timedelta(minutes=index)) for index in range(1, 6)],
            )
    monkeypatch.setenv(connection_env_var(REGISTER_CONN_ID), settings.database_url_for(REGISTER))
    monkeypatch.setenv(connection_env_var(WAREHOUSE_CONN_ID), settings.database_url_for(WAREHOUSE))
    with psycopg.connect(settings.database_url_for(WAREHOUSE)) as conn:
        ensure_warehouse_schema(conn)
        conn.commit()
    private = dataclasses.replace(settings, work_root=tmp_path / "work")
    monkeypatch.setattr(snapshot, "get_settings", lambda: private)
    yield Mirror(settings, private.work_dir / "reference" / "persons.parquet")


def _correct_and_add(mirror: Mirror) -> datetime:
    """A day later at the register: person 2's name corrected, person 6 added; returns that time."""
    later = T0 + timedelta(days=1)
    with mirror.register() as conn:
        conn.execute(
            "UPDATE dan_cu.persons SET full_name = 'Nguyễn Văn Bình', updated_at = %s WHERE national_id = %s",
            (later, "001000000002"),
        )
        conn.execute(
            "INSERT INTO dan_cu.persons VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            _person(6, later, "Trần Thị Cúc"),
        )
    return later


def test_first_sync_loads_the_register_in_full_and_writes_a_current_snapshot(mirror: Mirror) -> None:
    result = sync_reference()
    assert (result.full_load, result.rows_copied, result.row_count) == (True, 5, 5)
    assert result.high_watermark == T0 + timedelta(minutes=5)  # the newest updated_at
    assert len(mirror.mirrored()) == 5
    assert snapshot.current_snapshot() == mirror.snapshot_file
    names = duckdb.sql(f"SELECT count(*), count(name_key) FROM read_parquet('{mirror.snapshot_file}')").fetchall()
    assert names == [(5, 5)]  # the register's name keys are computed once, in the snapshot
    slots = duckdb.sql(f"SELECT key_slot FROM read_parquet('{mirror.snapshot_file}')").fetchall()
    assert [slot for (slot,) in slots] == sorted(slot for (slot,) in slots)  # stored in key-slot order
    with duckdb_session(task=False) as duck:  # the slot is the session macro's, per person's ID
        stored = duck.execute(
            f"SELECT count(*) FROM read_parquet('{mirror.snapshot_file}') WHERE key_slot = key_slot(national_id)"
        ).fetchone()
    assert stored == (5,)


def test_a_delta_copies_only_changed_persons_and_the_snapshot_follows(mirror: Mirror) -> None:
    sync_reference()
    later = _correct_and_add(mirror)

    result = sync_reference()
    assert result.full_load is False
    # the two changed persons, and the one at the watermark itself: it is read again (>=), so a
    # change at the same instant as the last sync is never missed
    assert result.rows_copied == 3
    assert (result.row_count, result.high_watermark) == (6, later)
    mirrored = mirror.mirrored()
    assert mirrored["001000000002"] == "Nguyễn Văn Bình"
    assert mirrored["001000000006"] == "Trần Thị Cúc"
    assert snapshot.current_snapshot() == mirror.snapshot_file


def test_a_snapshot_older_than_the_mirror_is_not_used(mirror: Mirror) -> None:
    sync_reference()
    with psycopg.connect(mirror.settings.database_url_for(WAREHOUSE), autocommit=True) as conn:
        conn.execute("UPDATE reference.sync_state SET row_count = row_count + 1")  # the mirror moved on
    assert snapshot.current_snapshot() is None


def test_a_person_deleted_from_the_register_makes_the_mirror_reload_in_full(mirror: Mirror) -> None:
    sync_reference()
    with mirror.register() as conn:
        conn.execute("DELETE FROM dan_cu.persons WHERE national_id = %s", ("001000000003",))

    result = sync_reference()
    assert (result.full_load, result.row_count) == (True, 4)
    assert "001000000003" not in mirror.mirrored()
    assert snapshot.current_snapshot() == mirror.snapshot_file


def test_without_a_current_snapshot_reconcile_keys_the_mirror_as_the_snapshot_is(mirror: Mirror) -> None:
    sync_reference()
    with duckdb_session(task=False) as duck:
        written = duck.execute(
            f"SELECT * EXCLUDE (person_hash) FROM read_parquet('{mirror.snapshot_file}') ORDER BY national_id"
        ).fetchall()
    mirror.snapshot_file.unlink()  # no current snapshot: reconcile streams the mirror and keys it
    assert snapshot.current_snapshot() is None
    with duckdb_session(task=False) as duck:
        register = open_register(duck)
        assert (register.relation, register.snapshot) == ("mirrored_persons", None)
        assert register.version == snapshot.register_version()
        streamed = duck.execute("SELECT * FROM mirrored_persons ORDER BY national_id").fetchall()
    assert streamed == written and len(written) == 5


def _names(duck: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    rows = duck.execute(f"SELECT national_id, name_key FROM {relation}").fetchall()
    return {str(national_id): str(name_key) for national_id, name_key in rows}


def test_a_run_reads_the_register_it_started_with_while_a_refresh_replaces_the_snapshot(
    mirror: Mirror, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_reference()
    monkeypatch.setattr(duck_module, "get_settings", snapshot.get_settings)  # scratch beside the snapshot
    with duckdb_session(task=False) as duck:
        register = open_register(duck)
        assert register.snapshot is not None and register.snapshot != mirror.snapshot_file
        assert register.snapshot.stat().st_ino == mirror.snapshot_file.stat().st_ino  # a link, not a copy
        assert register.version == snapshot.register_version()
        before = _names(duck, register.relation)
        _correct_and_add(mirror)  # a correction and a new person, then the refresh
        sync_reference()
        assert snapshot.current_snapshot() == mirror.snapshot_file
        assert snapshot.register_version() != register.version  # the mirror moved on
        # every later read of the run still sees the register it started with
        assert _names(duck, register.relation) == before and len(before) == 5
        refreshed = _names(duck, f"read_parquet('{mirror.snapshot_file}')")
        assert len(refreshed) == 6 and refreshed["001000000002"] != before["001000000002"]
        pinned = register.snapshot
    assert not pinned.exists()  # the link goes with the session's scratch folder


def test_a_snapshot_replaced_while_it_is_pinned_is_pinned_again(
    mirror: Mirror, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sync_reference()
    real_link = snapshot.os.link
    replaced: list[Path] = []

    def link_then_a_refresh(source: Path, target: Path) -> None:
        real_link(source, target)
        if not replaced:  # a refresh replaces the file just after the first link
            copy = mirror.snapshot_file.with_suffix(".copy")
            copy.write_bytes(mirror.snapshot_file.read_bytes())
            copy.replace(mirror.snapshot_file)
            replaced.append(mirror.snapshot_file)

    first = mirror.snapshot_file.stat().st_ino
    monkeypatch.setattr(snapshot.os, "link", link_then_a_refresh)
    folder = tmp_path / "scratch"
    folder.mkdir()
    pinned = snapshot.pin_snapshot(folder)
    assert pinned is not None and replaced
    path, version = pinned
    # the link holds the file now at the snapshot's path, not the one the first link caught
    assert path.stat().st_ino == mirror.snapshot_file.stat().st_ino != first
    assert version == snapshot.register_version()
