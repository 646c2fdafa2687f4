"""An incremental run publishes exactly what a full run publishes on the same data.

A test-only sector reads the health-insurance database with ``incremental`` set. A first (full)
run keeps the state; then the source and the register change: a random sample of cards
(names, genders, birth dates; some with their ``ngay_cap_nhat`` left as it was, so only the row
hash tells), cards removed and added, and the hard cases on purpose: a CMND card whose CCCD twin
is left unchanged (DUPLICATE_ID peers), a card sharing the CCCD of an unchanged card, a death of
a person with an unchanged card in force, a former CMND given to a person so that an unchanged
CMND card now links, a register correction, a new register person with the name key, gender and
birth date of an unchanged card that does not link (a new suggestion candidate), and a sample of
register persons moved to another province. The incremental run's results are compared, table
for table, with a full run of the same logical date; then a run with nothing changed, and a run
after ``full_every_days``.
"""

import json
import random
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from popsync.local.dag_runner import DagRunResult
from popsync.pipeline.publish import ConservationError, drop_run_tables, publish
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import planned_run, reconcile_stage, run_dataset
from popsync.reference.snapshot import write_snapshot
from popsync.sectors import load_sectors
from popsync.sectors.model import IncrementalRuns, SectorDefinition
from popsync.settings import Settings
from tests.integration.sector_cleanup import forget_sector
from tests.integration.test_buckets import published_results

SECTOR = "incremental_check"
SOURCE_DB = "popsync_src_health_insurance"
ADDED_KEY = "ZZINC"
UNLINKED_NAME = "TRẦN THỊ GIA TĂNG"


def _sector(buckets: int | None = None) -> SectorDefinition:
    shipped = next(sector for sector in load_sectors() if sector.sector == "health_insurance")
    dataset = shipped.datasets[0].model_copy(
        update={"incremental": IncrementalRuns(full_every_days=7), "buckets": buckets}
    )
    return shipped.model_copy(update={"sector": SECTOR, "source_conn_id": shipped.conn_id, "datasets": (dataset,)})


def _refresh_register(warehouse: psycopg.Connection[Any]) -> None:
    """What ``sync_reference`` does after a refresh: the mirror's state moves, the snapshot follows."""
    warehouse.execute(
        "UPDATE reference.sync_state SET high_watermark = (SELECT max(updated_at) FROM reference.persons), "
        "row_count = (SELECT count(*) FROM reference.persons) WHERE mirror = 'population_register'"
    )
    warehouse.commit()
    write_snapshot()


@pytest.fixture
def restored(first_runs: dict[str, DagRunResult], settings: Settings) -> Iterator[None]:
    """The source's cards and the register as they were, whatever the test changed."""
    with psycopg.connect(settings.database_url_for(SOURCE_DB), autocommit=True) as source:
        source.execute("DROP TABLE IF EXISTS bhyt.incremental_backup")
        source.execute("CREATE TABLE bhyt.incremental_backup AS SELECT * FROM bhyt.the_bhyt")
    with psycopg.connect(settings.database_url_for("popsync_warehouse"), autocommit=True) as warehouse:
        warehouse.execute("DROP TABLE IF EXISTS reference.incremental_backup")
        warehouse.execute("CREATE TABLE reference.incremental_backup AS SELECT * FROM reference.persons")
        state = warehouse.execute(
            "SELECT high_watermark, row_count FROM reference.sync_state WHERE mirror = 'population_register'"
        ).fetchone()
    try:
        yield
    finally:
        with psycopg.connect(settings.database_url_for(SOURCE_DB), autocommit=True) as source:
            source.execute("TRUNCATE bhyt.the_bhyt")
            source.execute("INSERT INTO bhyt.the_bhyt SELECT * FROM bhyt.incremental_backup")
            source.execute("DROP TABLE bhyt.incremental_backup")
        with psycopg.connect(settings.database_url_for("popsync_warehouse")) as warehouse:
            warehouse.execute("TRUNCATE reference.persons")
            warehouse.execute("INSERT INTO reference.persons SELECT * FROM reference.incremental_backup")
            warehouse.execute("DROP TABLE reference.incremental_backup")
            if state is not None:
                warehouse.execute(
                    "UPDATE reference.sync_state SET high_watermark = %s, row_count = %s "
                    "WHERE mirror = 'population_register'",
                    state,
                )
            warehouse.commit()
        write_snapshot()
        forget_sector(settings, SECTOR)
        shutil.rmtree(settings.work_dir / "state" / f"{SECTOR}__cards", ignore_errors=True)


def _run(run_id: str, logical_date: datetime, *, full_run: bool = False, buckets: int | None = None) -> DatasetState:
    sector = _sector(buckets)
    state = run_dataset(DatasetRun(sector, sector.datasets[0], run_id, logical_date, full_run=full_run))
    assert state.published is not None and state.published.published, state.published
    return state


def _mode(settings: Settings) -> str:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute(
            "SELECT run_mode, state_ref IS NOT NULL FROM sync.published_runs WHERE sector = %s", (SECTOR,)
        ).fetchone()
    assert row is not None and row[1], "every run of an incremental dataset keeps its state"
    return str(row[0])


def _manifest(settings: Settings) -> dict[str, str]:
    """The manifest of the published run's state."""
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute("SELECT state_ref FROM sync.published_runs WHERE sector = %s", (SECTOR,)).fetchone()
    assert row is not None and row[0] is not None
    manifest: dict[str, str] = json.loads((Path(row[0]) / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _autovacuum_off(settings: Settings) -> list[str]:
    """The test sector's tables with autovacuum turned off (the run tables, until published)."""
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        rows = conn.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE %s AND 'autovacuum_enabled=false' = ANY(reloptions)",
            (f"%{SECTOR}%",),
        ).fetchall()
    return [str(row[0]) for row in rows]


def _lifecycle(settings: Settings) -> list[tuple[Any, ...]]:
    """The dataset's mismatch lifecycle, every column but the run that last wrote a row."""
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        cursor = conn.execute("SELECT * FROM sync.mismatch_lifecycle WHERE sector = %s ORDER BY source_key", (SECTOR,))
        names = [column.name for column in cursor.description or ()]
        return [tuple(value for name, value in zip(names, row, strict=True) if name != "run_id") for row in cursor]


def _steps(state: DatasetState) -> set[str]:
    return {name for name, _ in state.need_reconciled().timings}


def _published_tree(settings: Settings) -> tuple[str, dict[str, int]]:
    """The published matches table of the dataset and its leaves (name: relfilenode; none when plain)."""
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute("SELECT matches_table FROM sync.published_runs WHERE sector = %s", (SECTOR,)).fetchone()
        assert row is not None
        leaves = conn.execute(
            "SELECT child.relname, child.relfilenode FROM pg_inherits JOIN pg_class AS child ON child.oid = inhrelid "
            "WHERE inhparent = ('sync_partitions.' || quote_ident(%s))::regclass",
            (row[0],),
        ).fetchall()
    return str(row[0]), {str(name): int(node) for name, node in leaves}


def _relfilenode(settings: Settings, table: str) -> int | None:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute(
            "SELECT relfilenode FROM pg_class WHERE oid = to_regclass('sync_partitions.' || quote_ident(%s))", (table,)
        ).fetchone()
    return None if row is None else int(row[0])


def _assert_equal(incremental: dict[str, Any], full: dict[str, Any]) -> None:
    for table in ("matches", "mismatches", "candidates", "rates", "provinces"):
        assert incremental[table] == full[table], f"{table} differ between the incremental and the full run"


class Cases:
    """What the test changed on purpose, by the case it makes (source keys and IDs)."""

    def __init__(self) -> None:
        self.cmnd_card = ""  # a CMND card nobody's former CMND; the CMND is given to `former_holder` later
        self.former_holder = ""
        self.holder_card = ""
        self.unlinked_card = ""  # does not link; a register person with its name key is added later
        self.new_person = ""
        self.twin_removed = ""  # a CMND twin card removed; its CCCD twin `twin_kept` is unchanged
        self.twin_kept = ""
        self.shared_card = ""  # an unchanged card whose CCCD a new card also carries
        self.dead_card = ""  # an unchanged card in force whose person dies
        self.corrected_card = ""  # an unchanged card whose person's birth date the register corrects
        self.born_card = ""  # an unchanged card born after the first run's date, by the second run's


def _before_first_run(settings: Settings, rng: random.Random, second_date: datetime) -> Cases:
    """Cards added before the first run: a CMND card, a card that does not link, CMND twins, a card
    whose birth date is the second run's date (invalid on the first run's, valid on the second's)."""
    cases = Cases()
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as warehouse:
        persons = warehouse.execute(
            "SELECT national_id, former_cmnd FROM reference.persons ORDER BY national_id"
        ).fetchall()
    formers = {former for _, former in persons if former is not None}
    holders = {former: sum(1 for _, f in persons if f == former) for former in formers}
    with psycopg.connect(settings.database_url_for(SOURCE_DB), autocommit=True) as source:
        cards = source.execute(
            "SELECT ma_the, so_dinh_danh FROM bhyt.the_bhyt WHERE so_dinh_danh ~ '^[0-9]{12}$' ORDER BY ma_the"
        ).fetchall()
        template = cards[0][0]
        copy = (
            "INSERT INTO bhyt.the_bhyt (ma_the, so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, "
            "gt_den_ngay, ngay_cap_nhat) SELECT %s, %s, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, gt_den_ngay, "
            "ngay_cap_nhat FROM bhyt.the_bhyt WHERE ma_the = %s"
        )
        cmnd = next(c for c in (f"{rng.randrange(10**8, 10**9)}" for _ in range(1000)) if c not in formers)
        cases.cmnd_card = f"{ADDED_KEY}cmnd"
        source.execute(copy, (cases.cmnd_card, cmnd, template))
        # a 12-digit ID no register person has, with a name no register person has (yet)
        known = {national_id for national_id, _ in persons}
        unknown = next(
            candidate
            for candidate in (cards[0][1][:3] + f"{rng.randrange(10**8, 10**9):09d}" for _ in range(1000))
            if candidate not in known
        )
        cases.unlinked_card = f"{ADDED_KEY}unl"
        source.execute(
            "INSERT INTO bhyt.the_bhyt (ma_the, so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, "
            "gt_den_ngay, ngay_cap_nhat) SELECT %s, %s, %s, '12/03/1984', '2', gt_tu_ngay, gt_den_ngay, "
            "ngay_cap_nhat FROM bhyt.the_bhyt WHERE ma_the = %s",
            (cases.unlinked_card, unknown, UNLINKED_NAME, template),
        )
        cases.born_card = f"{ADDED_KEY}born"
        source.execute(
            "INSERT INTO bhyt.the_bhyt (ma_the, so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, "
            "gt_den_ngay, ngay_cap_nhat) SELECT %s, so_dinh_danh, ho_ten, %s, gioi_tinh, gt_tu_ngay, gt_den_ngay, "
            "ngay_cap_nhat FROM bhyt.the_bhyt WHERE ma_the = %s",
            (cases.born_card, second_date.strftime("%d/%m/%Y"), cards[1][0]),
        )
        by_id = dict(persons)
        for key, national_id in cards:
            former = by_id.get(national_id)
            if former is not None and holders[former] == 1:
                cases.twin_removed, cases.twin_kept = f"{ADDED_KEY}twin", key.strip()
                source.execute(copy, (cases.twin_removed, former, key))
                break
    assert cases.twin_kept, "the register has persons with a former CMND"
    return cases


def _in_force(settings: Settings, keys: set[str]) -> list[str]:
    """Which of the card ``keys`` are in force today, in key order."""
    with psycopg.connect(settings.database_url_for(SOURCE_DB)) as source:
        rows = source.execute(
            "SELECT trim(ma_the) FROM bhyt.the_bhyt WHERE current_date BETWEEN gt_tu_ngay AND gt_den_ngay "
            "ORDER BY ma_the"
        ).fetchall()
    return [key for (key,) in rows if key in keys]


def _change(settings: Settings, rng: random.Random, cases: Cases, matched: list[str]) -> None:
    """The changes between the two runs: a random sample and the hard cases."""
    known_matches = set(matched)
    cases.dead_card = rng.choice(_in_force(settings, known_matches))
    with psycopg.connect(settings.database_url_for(SOURCE_DB), autocommit=True) as source:
        picks = rng.sample([key for key in matched if key != cases.dead_card], 90)
        sampled, removed = picks[:60], picks[60:72]
        cases.shared_card, cases.corrected_card, cases.holder_card = picks[72:75]
        for number, key in enumerate(sampled):
            column, value = [
                ("ho_ten", "ho_ten || ' AN'"),
                ("gioi_tinh", "CASE gioi_tinh WHEN '1' THEN '2' ELSE '1' END"),
                ("ngay_sinh", "'01/01/1977'"),
            ][number % 3]
            # every other change leaves ngay_cap_nhat as it was: only the row hash tells
            touch = ", ngay_cap_nhat = ngay_cap_nhat + interval '1 day'" if number % 2 else ""
            source.execute(f"UPDATE bhyt.the_bhyt SET {column} = {value}{touch} WHERE ma_the = %s", (key,))
        source.execute("DELETE FROM bhyt.the_bhyt WHERE ma_the = ANY(%s)", (removed,))
        source.execute("DELETE FROM bhyt.the_bhyt WHERE ma_the = %s", (cases.twin_removed,))
        source.execute(
            "INSERT INTO bhyt.the_bhyt SELECT %s, so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, "
            "gt_den_ngay, ngay_cap_nhat FROM bhyt.the_bhyt WHERE ma_the = %s",
            (f"{ADDED_KEY}shared", cases.shared_card),
        )
        for number, key in enumerate(rng.sample(matched, 5)):
            if key not in removed:
                source.execute(
                    "INSERT INTO bhyt.the_bhyt SELECT %s, '0' || so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, "
                    "gt_tu_ngay, gt_den_ngay, ngay_cap_nhat FROM bhyt.the_bhyt WHERE ma_the = %s",
                    (f"{ADDED_KEY}new{number}", key),
                )
        ids = dict(
            source.execute(
                "SELECT trim(ma_the), so_dinh_danh FROM bhyt.the_bhyt WHERE ma_the = ANY(%s)",
                ([cases.dead_card, cases.corrected_card, cases.holder_card, cases.cmnd_card],),
            ).fetchall()
        )
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as warehouse:
        now = "now()"
        warehouse.execute(
            f"UPDATE reference.persons SET is_deceased = true, date_of_death = current_date - 3, updated_at = {now} "
            "WHERE national_id = %s",
            (ids[cases.dead_card],),
        )
        warehouse.execute(
            "UPDATE reference.persons SET birth_date = birth_date - interval '2 years' WHERE national_id = %s",
            (ids[cases.corrected_card],),
        )
        cases.former_holder = ids[cases.holder_card]
        warehouse.execute(
            f"UPDATE reference.persons SET former_cmnd = %s, updated_at = {now} WHERE national_id = %s",
            (ids[cases.cmnd_card], cases.former_holder),
        )
        known = {row[0] for row in warehouse.execute("SELECT national_id FROM reference.persons").fetchall()}
        prefix = ids[cases.dead_card][:3]
        cases.new_person = next(
            candidate
            for candidate in (prefix + f"{rng.randrange(10**8, 10**9):09d}" for _ in range(1000))
            if candidate not in known
        )
        warehouse.execute(
            "INSERT INTO reference.persons (national_id, full_name, birth_date, birth_date_precision, gender, "
            "residence_province, is_deceased, updated_at) VALUES (%s, %s, DATE '1984-03-12', 'day', 'F', %s, "
            f"false, {now})",
            (cases.new_person, UNLINKED_NAME, prefix),
        )
        moved = rng.sample(sorted(known), 40)
        warehouse.execute(
            "UPDATE reference.persons SET residence_province = '001' WHERE national_id = ANY(%s)", (moved,)
        )
        warehouse.commit()
        _refresh_register(warehouse)


def test_an_incremental_run_publishes_what_a_full_run_publishes(
    restored: None, settings: Settings, fresh_date: Any
) -> None:
    rng = random.Random(17)
    first_date, when = fresh_date(), fresh_date()
    cases = _before_first_run(settings, rng, when)
    first = _run("manual__incremental_first", first_date)
    assert _mode(settings) == "full" and "carry_over" not in _steps(first)
    before = published_results(settings, SECTOR)
    before_reasons = {row[1]: set(row[5]) for row in before["mismatches"]}
    assert "DUPLICATE_ID" in before_reasons[cases.twin_kept]
    assert "NOT_IN_REFERENCE" in before_reasons[cases.cmnd_card.strip()]
    matched = sorted(row[1] for row in before["matches"] if not row[1].startswith(ADDED_KEY))

    first_table, first_leaves = _published_tree(settings)
    first_storage = _relfilenode(settings, first_table)
    assert first_leaves == {} and first_storage is not None

    _change(settings, rng, cases, matched)
    incremental_state = _run("manual__incremental_second", when)
    assert _mode(settings) == "incremental" and {"affected", "carry_over"} <= _steps(incremental_state)
    # the PostgreSQL source hashed its rows: only keys and hashes of every record, then rows by key
    keyed = {"extract_keys", "extract_changed", "extract_affected"}
    assert keyed <= _steps(incremental_state) and "extract_normalise" not in _steps(incremental_state)
    # the carried rows were not copied: the first run's table itself is a leaf, its storage unchanged
    _, second_leaves = _published_tree(settings)
    assert len(second_leaves) == 2 and second_leaves.get(first_table) == first_storage, second_leaves
    incremental = published_results(settings, SECTOR)
    incremental_lifecycle = _lifecycle(settings)
    full_state = _run("manual__incremental_second_full", when, full_run=True)
    assert _mode(settings) == "full"
    full = published_results(settings, SECTOR)
    _assert_equal(incremental, full)
    # the lifecycle, which the incremental run moved for its excluded keys only, is the full run's
    # (the full run of the same date replays every row the incremental run wrote, from its prior state)
    full_lifecycle = _lifecycle(settings)
    assert incremental_lifecycle == full_lifecycle
    assert incremental_state.need_reconciled().metrics == full_state.need_reconciled().metrics
    assert incremental_state.need_reconciled().extracted == full_state.need_reconciled().extracted
    # the gate's profile of records not read again comes from the state: the same as a full read
    assert incremental_state.need_reconciled().profile == full_state.need_reconciled().profile
    assert incremental["mismatches"] != before["mismatches"], "the changes changed the results"

    # each hard case came out as the rules say, though its own card did not change
    reasons = {row[1]: set(row[5]) for row in incremental["mismatches"]}
    linked = {row[1]: row[3] for row in incremental["mismatches"]}
    assert "DUPLICATE_ID" not in reasons.get(cases.twin_kept, set()), "its CMND twin was removed"
    assert reasons.get(cases.born_card) != before_reasons[cases.born_card], "its birth date is valid now"
    assert "DUPLICATE_ID" in reasons[cases.shared_card] and "DUPLICATE_ID" in reasons[f"{ADDED_KEY}shared"]
    assert "DECEASED" in reasons[cases.dead_card]
    assert "DOB_MISMATCH" in reasons[cases.corrected_card]
    assert linked[cases.cmnd_card] == cases.former_holder and "LEGACY_ID" in reasons[cases.cmnd_card]
    assert "DUPLICATE_ID" in reasons[cases.holder_card], "the holder's CCCD card and the CMND card now share an ID"
    listed = {row[2] for row in incremental["candidates"] if row[1] == cases.unlinked_card}
    assert cases.new_person in listed, "the new register person with the record's name key is a candidate"

    # nothing changed: incremental, and still what the full run published
    unchanged_state = _run("manual__incremental_third", when)
    assert _mode(settings) == "incremental"
    _assert_equal(published_results(settings, SECTOR), full)
    # of the same date as the full run: it replays the rows that run wrote, and changes nothing
    assert _lifecycle(settings) == full_lifecycle
    assert unchanged_state.need_reconciled().metrics == full_state.need_reconciled().metrics
    third_table, third_leaves = _published_tree(settings)
    assert len(third_leaves) == 2, "the full run's table and this run's delta"

    # a publish that fails after the baseline's tables were re-attached rolls back whole
    sector = _sector()
    refused = DatasetRun(sector, sector.datasets[0], "manual__incremental_refused", when).with_new_attempt()
    reconciled = reconcile_stage(refused, DatasetState())
    refused = planned_run(refused, reconciled)
    assert {"carry_over"} <= _steps(reconciled)
    with pytest.raises(ConservationError):
        publish(refused, reconciled.need_reconciled().extracted + 1)
    drop_run_tables(refused, keep_results=False)
    assert _published_tree(settings) == (third_table, third_leaves)
    _assert_equal(published_results(settings, SECTOR), full)

    # an incremental run after an incremental run: the leaves are handed on, the tree stays one level
    _run("manual__incremental_fourth", when)
    assert _mode(settings) == "incremental"
    _, fourth_leaves = _published_tree(settings)
    assert set(third_leaves) < set(fourth_leaves) and len(fourth_leaves) == 3, fourth_leaves
    _assert_equal(published_results(settings, SECTOR), full)

    # the full run is due again after full_every_days; it drops the carried leaves with their tree
    _run("manual__incremental_weekly", when + timedelta(days=7))
    assert _mode(settings) == "full"
    assert all(_relfilenode(settings, leaf) is None for leaf in (*second_leaves, *fourth_leaves))


def test_an_incremental_run_from_a_split_run_publishes_what_a_full_run_publishes(
    restored: None, settings: Settings, fresh_date: Any
) -> None:
    """The national-size case: full runs split into buckets, each keeping its share of the state."""
    rng = random.Random(29)
    first_date, when = fresh_date(), fresh_date()
    cases = _before_first_run(settings, rng, when)
    first = _run("manual__split_first", first_date, buckets=2)
    assert first.need_plan().buckets == 2 and _mode(settings) == "full"
    manifest = _manifest(settings)
    assert (manifest["base_parts"], manifest["layers"], manifest["row_hashes"]) == ("2", "0", "source")
    assert int(manifest["keys_repeated"]) == first.need_reconciled().profile.keys_repeated
    state = Path(str(settings.work_dir / "state"))
    assert not list(state.rglob("register-*.id")), "the buckets' register versions are checked, then removed"
    assert _autovacuum_off(settings) == [], "off while unpublished, on again once published"
    before = published_results(settings, SECTOR)
    matched = sorted(row[1] for row in before["matches"] if not row[1].startswith(ADDED_KEY))

    _change(settings, rng, cases, matched)
    incremental_state = _run("manual__split_second", when, buckets=2)
    assert _mode(settings) == "incremental" and incremental_state.need_plan().buckets == 1
    keyed = {"extract_keys", "extract_changed", "extract_affected", "carry_over"}
    assert keyed <= _steps(incremental_state), "it read keys and hashes, then the changed rows"
    incremental = published_results(settings, SECTOR)
    incremental_lifecycle = _lifecycle(settings)
    assert _autovacuum_off(settings) == []
    after_split = _manifest(settings)
    assert (after_split["base_parts"], after_split["layers"]) == ("2", "1"), "the split base is kept, linked"
    # the split run's records were carried from both buckets' shares: only the changed ones classified
    _, leaves = _published_tree(settings)
    delta = next(leaf for leaf in leaves if leaf.endswith("_d"))
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("sync_partitions", delta))
        ).fetchone()
    assert row is not None and 0 < row[0] < len(before["matches"]) // 5, row

    full_state = _run("manual__split_second_full", when, full_run=True, buckets=2)
    assert full_state.need_plan().buckets == 2
    _assert_equal(incremental, published_results(settings, SECTOR))
    assert incremental_lifecycle == _lifecycle(settings)
    assert incremental_state.need_reconciled().metrics == full_state.need_reconciled().metrics
    assert incremental_state.need_reconciled().profile == full_state.need_reconciled().profile
    assert incremental["mismatches"] != before["mismatches"], "the changes changed the results"
    reasons = {row[1]: set(row[5]) for row in incremental["mismatches"]}
    assert "DUPLICATE_ID" not in reasons.get(cases.twin_kept, set()), "its CMND twin was removed"
    assert "DECEASED" in reasons[cases.dead_card] and "LEGACY_ID" in reasons[cases.cmnd_card]

    # from the second split full run's state: nothing changed, the same results
    _run("manual__split_third", when, buckets=2)
    assert _mode(settings) == "incremental"
    _assert_equal(published_results(settings, SECTOR), incremental)


def test_a_dataset_without_incremental_runs_keeps_no_state(
    first_runs: dict[str, DagRunResult], settings: Settings
) -> None:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        rows = conn.execute(
            "SELECT run_mode, state_ref FROM sync.published_runs WHERE sector = 'health_insurance'"
        ).fetchall()
    assert rows and all(row == ("full", None) for row in rows)


def test_a_split_run_classifies_against_the_register_its_plan_pinned(
    restored: None, settings: Settings, fresh_date: Any
) -> None:
    """A refresh lands between the plan and the buckets: every bucket still reads the plan's
    register (one version for the plan's former CMNDs and links and every bucket), the state keeps
    that version, and the next incremental run sees the refresh as a register change."""
    first_date, second_date, third_date = fresh_date(), fresh_date(), fresh_date()
    _run("manual__pinned_first", first_date, buckets=2)
    matched = {row[1]: row[2] for row in published_results(settings, SECTOR)["matches"]}
    in_force = _in_force(settings, set(matched))
    dead_card = in_force[len(in_force) // 2]
    refreshed: list[str] = []

    def refresh_after_the_plan(stage: str, elapsed: float, state: DatasetState) -> None:
        if stage == "plan":  # the buckets have not run yet
            with psycopg.connect(settings.database_url_for("popsync_warehouse")) as warehouse:
                warehouse.execute(
                    "UPDATE reference.persons SET is_deceased = true, date_of_death = current_date - 3, "
                    "updated_at = now() WHERE national_id = %s",
                    (matched[dead_card],),
                )
                _refresh_register(warehouse)
            refreshed.append(stage)

    sector = _sector(2)
    run = DatasetRun(sector, sector.datasets[0], "manual__pinned_second", second_date, full_run=True)
    state = run_dataset(run, on_stage=refresh_after_the_plan)
    assert refreshed and state.published is not None and state.published.published, state.published
    assert state.need_plan().buckets == 2 and state.need_plan().register_version is not None
    pinned = published_results(settings, SECTOR)
    assert dead_card in {row[1] for row in pinned["matches"]}, "classified against the plan's register"
    manifest = _manifest(settings)
    assert manifest["base_parts"] == "2", "every bucket read one version: the state is kept"

    third = _run("manual__pinned_third", third_date, buckets=2)
    assert _mode(settings) == "incremental" and third.need_plan().buckets == 1
    reasons = {row[1]: set(row[5]) for row in published_results(settings, SECTOR)["mismatches"]}
    assert "DECEASED" in reasons[dead_card], "the refresh is a register change for the next run"
    incremental = published_results(settings, SECTOR)
    _run("manual__pinned_third_full", third_date, full_run=True, buckets=2)
    _assert_equal(incremental, published_results(settings, SECTOR))
