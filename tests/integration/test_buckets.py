"""A dataset run split into buckets publishes exactly what a run in one bucket publishes.

The same health-insurance extract, with hard cases added on purpose (a card under a person's
former CMND beside a card under their CCCD: DUPLICATE_ID across the two forms of one person, and
LEGACY_ID; a card under a former CMND that two register persons hold, only one of them in the
card's bucket: no link, as in a whole run; a card whose ID has two digits swapped: a suggested
ID; a card whose swapped ID points at a person carded under their own ID, who links in whichever
bucket that card is in; a card with an
unusable ID under the name, gender and birth date of carded persons, whose name block (and its
size) the suggestion search must see whole, whatever buckets the block's persons are in), is
reconciled in one bucket
and in three, through the pipeline's one sequence on real PostgreSQL. Both runs publish into a
test-only sector fed by the health-insurance database, so the shipped sectors' results stay
as the session's first runs left them.
"""

import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from popsync.db.duck import duckdb_session
from popsync.local.dag_runner import DagRunResult
from popsync.pipeline import plan as plan_module
from popsync.pipeline.results import DatasetState
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.sequence import run_dataset
from popsync.sectors import load_sectors
from popsync.sectors.model import SectorDefinition
from popsync.settings import INCLUDE_DIR, KILL_AT_ENV, Settings
from tests.integration.sector_cleanup import forget_sector

SECTOR = "bucket_check"
SOURCE_DB = "popsync_src_health_insurance"
ADDED_KEY = "ZZBKT"  # card codes are char(15)


def _sector() -> SectorDefinition:
    shipped = next(sector for sector in load_sectors() if sector.sector == "health_insurance")
    return shipped.model_copy(update={"sector": SECTOR, "source_conn_id": shipped.conn_id})


def _swap(national_id: str, position: int) -> str:
    return national_id[:position] + national_id[position + 1] + national_id[position] + national_id[position + 2 :]


@pytest.fixture
def hard_cases(first_runs: dict[str, DagRunResult], settings: Settings) -> Iterator[dict[str, list[str]]]:
    """Cards added to the source for the test (removed afterwards), by the case they make."""
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as warehouse:
        persons = warehouse.execute(
            "SELECT national_id, former_cmnd, full_name, to_char(birth_date, 'DD/MM/YYYY'), gender "
            "FROM reference.persons WHERE birth_date_precision = 'day' AND NOT is_deceased "
            "AND gender IN ('M', 'F') ORDER BY national_id"
        ).fetchall()
    by_id = {row[0]: row[1] for row in persons}
    cmnd_holders = {former for former in by_id.values() if former is not None}
    holders_of = {former: sum(1 for f in by_id.values() if f == former) for former in cmnd_holders}
    cases: dict[str, list[str]] = {
        "cmnd_twin": [],
        "cmnd_shared": [],
        "transposed": [],
        "slip_to_carded": [],
        "name_block": [],
    }
    shared_cmnds = _shared_cmnds_split_by_buckets(by_id, buckets=3)
    with psycopg.connect(settings.database_url_for(SOURCE_DB), autocommit=True) as source:
        cards = source.execute(
            "SELECT ma_the, so_dinh_danh FROM bhyt.the_bhyt WHERE so_dinh_danh ~ '^[0-9]{12}$' ORDER BY ma_the"
        ).fetchall()
        carded = {national_id for _, national_id in cards}
        copy = (
            "INSERT INTO bhyt.the_bhyt (ma_the, so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, "
            "gt_den_ngay, ngay_cap_nhat) SELECT %s, %s, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, gt_den_ngay, "
            "ngay_cap_nhat FROM bhyt.the_bhyt WHERE ma_the = %s"
        )
        for key, national_id in cards:
            former = by_id.get(national_id)
            # the former CMND must name this person only, as the register's legacy lookup requires
            if former is not None and holders_of[former] == 1 and len(cases["cmnd_twin"]) < 6:
                added = f"{ADDED_KEY}c{len(cases['cmnd_twin'])}"
                source.execute(copy, (added, former, key))
                cases["cmnd_twin"].append(added)
        # a former CMND held by two register persons never links, although the bucket of the card (the
        # stretch of key slots the CMND itself lies in) holds exactly one of them
        for former in shared_cmnds[:4]:
            added = f"{ADDED_KEY}m{len(cases['cmnd_shared'])}"
            source.execute(copy, (added, former, cards[len(cases["cmnd_shared"])][0]))
            cases["cmnd_shared"].append(added)
        template = cards[0][0]

        def add_card(added: str, national_id: str, full_name: str, birth_date: str, gender: str) -> None:
            """A card under ``national_id`` with a register person's name, birth date and gender."""
            source.execute(
                "INSERT INTO bhyt.the_bhyt (ma_the, so_dinh_danh, ho_ten, ngay_sinh, gioi_tinh, gt_tu_ngay, "
                "gt_den_ngay, ngay_cap_nhat) SELECT %s, %s, %s, %s, %s, gt_tu_ngay, gt_den_ngay, ngay_cap_nhat "
                "FROM bhyt.the_bhyt WHERE ma_the = %s",
                (added, national_id, full_name, birth_date, "1" if gender == "M" else "2", template),
            )

        # a register person with no card, carded under their ID with two digits swapped
        for national_id, _, full_name, birth_date, gender in persons:
            swapped = _swap(national_id, 8)
            if national_id in carded or swapped == national_id or swapped in by_id or swapped in carded:
                continue
            added = f"{ADDED_KEY}s{len(cases['transposed'])}"
            add_card(added, swapped, full_name, birth_date, gender)
            cases["transposed"].append(added)
            if len(cases["transposed"]) == 6:
                break
        # a carded person's ID with two digits swapped, on a copy of their card: the slip points at a
        # person whose own card links them (in the bucket of that card, not of the slipped one)
        for national_id, _, full_name, birth_date, gender in persons:
            swapped = _swap(national_id, 9)
            if national_id not in carded or swapped == national_id or swapped in by_id or swapped in carded:
                continue
            added = f"{ADDED_KEY}t{len(cases['slip_to_carded'])}"
            add_card(added, swapped, full_name, birth_date, gender)
            cases["slip_to_carded"].append(added)
            if len(cases["slip_to_carded"]) == 6:
                break
        # an unusable ID under a carded person's name, gender and birth date: the name search finds
        # the person's whole block (largest blocks first: persons that share name, gender and year)
        blocks: dict[tuple[str, str, str], list[str]] = {}
        for national_id, _, full_name, birth_date, gender in persons:
            blocks.setdefault((full_name, gender, birth_date[-4:]), []).append(national_id)
        carded_blocks = sorted(
            (members for members in blocks.values() if any(member in carded for member in members)),
            key=lambda members: (-len(members), members[0]),
        )
        details = {row[0]: (row[2], row[4], row[3]) for row in persons}
        for members in carded_blocks[:6]:
            full_name, gender, birth_date = details[next(member for member in members if member in carded)]
            added = f"{ADDED_KEY}n{len(cases['name_block'])}"
            add_card(added, f"12{len(cases['name_block'])}45", full_name, birth_date, gender)
            cases["name_block"].append(added)
    assert all(len(added) >= 3 for kind, added in cases.items() if kind != "cmnd_shared"), cases
    assert cases["cmnd_shared"], "the register holds a former CMND shared across buckets"
    try:
        yield cases
    finally:
        with psycopg.connect(settings.database_url_for(SOURCE_DB), autocommit=True) as source:
            source.execute("DELETE FROM bhyt.the_bhyt WHERE ma_the LIKE %s", (ADDED_KEY + "%",))
        forget_sector(settings, SECTOR)


def _shared_cmnds_split_by_buckets(former_of: dict[str, str | None], *, buckets: int) -> list[str]:
    """Former CMNDs held by several persons, those with exactly one holder in the CMND's own bucket
    first (a bucket judging "exactly one holder" from its own stretch of the register would link them)."""
    holders: dict[str, list[str]] = {}
    for national_id, former in former_of.items():
        if former is not None:
            holders.setdefault(former, []).append(national_id)
    shared = {former: ids for former, ids in holders.items() if len(ids) > 1}
    with duckdb_session(task=False) as duck:
        bucket_of = dict(
            duck.execute(
                "SELECT key, slot_bucket(key_slot(key), ?) FROM unnest(?::VARCHAR[]) AS keys(key)",
                [buckets, sorted({key for former, ids in shared.items() for key in [former, *ids]})],
            ).fetchall()
        )
    split = [former for former, ids in shared.items() if sum(bucket_of[i] == bucket_of[former] for i in ids) == 1]
    return sorted(split) + sorted(set(shared) - set(split))


def _published(settings: Settings, sector: str = SECTOR) -> dict[str, Any]:
    """Everything the run published for the test sector, without the run's identity."""
    return published_results(settings, sector)


def published_results(settings: Settings, sector: str) -> dict[str, Any]:
    """Everything the published run of ``sector`` holds, without the run's identity (sorted, comparable).

    Also used by test_incremental.py (an incremental run publishes what a full run publishes).
    """
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        matches = conn.execute(
            "SELECT dataset, source_key, national_id, province_code FROM sync.matches WHERE sector = %s",
            (sector,),
        ).fetchall()
        mismatches = conn.execute(
            "SELECT dataset, source_key, national_id, linked_national_id, province_code, reasons, details::text, "
            "first_seen, suggested_national_id FROM sync.mismatches WHERE sector = %s",
            (sector,),
        ).fetchall()
        candidates = conn.execute(
            "SELECT dataset, source_key, candidate_national_id, rank, method, confidence, suggested, evidence::text "
            "FROM sync.suggestion_candidates WHERE sector = %s",
            (sector,),
        ).fetchall()
        rates = conn.execute(
            "SELECT dataset, total, matched, mismatched, sync_rate, reason_counts::text, quality_status "
            "FROM sync.sector_sync_rate WHERE sector = %s ORDER BY published_at DESC LIMIT 1",
            (sector,),
        ).fetchall()
        provinces = conn.execute(
            "SELECT province_code, total, matched, mismatched FROM sync.province_sync_rate "
            "WHERE sector = %s AND run_id = (SELECT run_id FROM sync.published_runs WHERE sector = %s)",
            (sector, sector),
        ).fetchall()
        buckets = conn.execute(
            "SELECT DISTINCT bucket FROM sync.mismatches WHERE sector = %s UNION "
            "SELECT DISTINCT bucket FROM sync.matches WHERE sector = %s",
            (sector, sector),
        ).fetchall()
    key = repr
    return {
        "matches": sorted(matches, key=key),
        "mismatches": sorted(mismatches, key=key),
        "candidates": sorted(candidates, key=key),
        "rates": rates,
        "provinces": sorted(provinces),
        "buckets": sorted(bucket for (bucket,) in buckets),
    }


def _run(buckets: int, run_id: str, logical_date: datetime) -> DatasetState:
    sector = _sector()
    dataset = sector.datasets[0].model_copy(update={"buckets": buckets})
    state = run_dataset(DatasetRun(sector, dataset, run_id, logical_date))
    assert state.published is not None and state.published.published, state.published
    return state


def test_three_buckets_publish_what_one_bucket_publishes(
    hard_cases: dict[str, list[str]], settings: Settings, fresh_date: Any
) -> None:
    one_state = _run(1, "manual__buckets_one", fresh_date())
    one = _published(settings)
    three_state = _run(3, "manual__buckets_three", fresh_date())
    three = _published(settings)

    assert one["buckets"] == [0] and three["buckets"] == [0, 1, 2]
    assert len(one["matches"]) > 1000 and len(one["mismatches"]) > 100
    assert three["matches"] == one["matches"]
    assert three["mismatches"] == one["mismatches"]
    assert three["candidates"] == one["candidates"] and len(one["candidates"]) > 0
    assert three["rates"] == one["rates"] and three["provinces"] == one["provinces"]
    one_result, three_result = one_state.need_reconciled(), three_state.need_reconciled()
    assert three_result.metrics == one_result.metrics
    assert three_result.profile == one_result.profile
    assert three_result.extracted == one_result.extracted
    assert (one_result.buckets, three_result.buckets) == (1, 3)
    assert [task.task for task in three_result.tasks] == ["plan", "bucket 0", "bucket 1", "bucket 2"]

    # the hard cases were there to be got right: each is checked in the three-bucket results
    by_key = {row[1]: row for row in three["mismatches"]}
    for added in hard_cases["cmnd_twin"]:
        _, _, _, linked, _, reasons, _, _, _ = by_key[added]
        assert {"LEGACY_ID", "DUPLICATE_ID"} <= set(reasons), reasons
        peers = [row for row in three["mismatches"] if row[3] == linked and row[1] != added]
        assert any("DUPLICATE_ID" in row[5] for row in peers), "the CCCD card of the same person is its peer"
    for added in hard_cases["cmnd_shared"]:
        _, _, _, linked, _, reasons, _, _, _ = by_key[added]
        assert linked is None and {"LEGACY_ID", "NOT_IN_REFERENCE"} <= set(reasons), reasons
    for added in hard_cases["transposed"]:
        _, _, national_id, linked, _, reasons, _, _, _ = by_key[added]
        assert linked is None and "NOT_IN_REFERENCE" in reasons
        listed = {row[2] for row in three["candidates"] if row[1] == added}
        assert _swap(national_id, 8) in listed, "the ID with the two digits swapped back is a candidate"
    linked_persons = {row[2] for row in three["matches"]} | {row[3] for row in three["mismatches"] if row[3]}
    for added in hard_cases["slip_to_carded"]:
        _, _, national_id, linked, _, reasons, _, _, _ = by_key[added]
        assert linked is None and "NOT_IN_REFERENCE" in reasons
        listed = {row[2]: json.loads(row[7]) for row in three["candidates"] if row[1] == added}
        target = _swap(national_id, 9)
        assert target in listed and target in linked_persons, "the slip reaches a person linked by their own card"
        assert listed[target]["linked_elsewhere"] >= 1, listed[target]
    for added in hard_cases["name_block"]:
        _, _, _, linked, _, reasons, _, _, _ = by_key[added]
        assert linked is None and "INVALID_ID" in reasons
        by_name = [
            json.loads(row[7]) for row in three["candidates"] if row[1] == added and row[4] == "name_birth_gender"
        ]
        assert by_name and all(evidence["block_size"] >= len(by_name) for evidence in by_name), by_name
    assert (
        max(json.loads(row[7])["block_size"] for row in three["candidates"] if row[1] in hard_cases["name_block"]) >= 2
    ), "a name block of several persons is among the cases"
    reasons_seen = {reason for row in three["mismatches"] for reason in row[5]}
    assert {"DUPLICATE_ID", "LEGACY_ID", "NOT_IN_REFERENCE", "INVALID_ID"} <= reasons_seen


def test_the_size_of_the_extract_decides_the_buckets(
    first_runs: dict[str, DagRunResult], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sector = _sector()
    run = DatasetRun(sector, sector.datasets[0], "manual__buckets_auto", datetime.now().astimezone())
    records = plan_module.count_records(run)
    assert records is not None and records > 1000
    monkeypatch.setattr(plan_module, "get_settings", lambda: _with_rows_per_bucket(settings, records // 2 + 1))
    planned = plan_module.plan(run.with_new_attempt())
    try:
        assert (planned.buckets, planned.extracted) == (2, records)
        assert planned.folder is not None
        assert len(list((settings.work_dir / "runs").glob(f"{_planned_run(run, planned).work_folder_name}/bucket=*")))
    finally:
        plan_module.remove_run_folder(_planned_run(run, planned))
    monkeypatch.setattr(plan_module, "get_settings", lambda: _with_rows_per_bucket(settings, 0))
    assert plan_module.plan(run.with_new_attempt()).buckets == 1


def _with_rows_per_bucket(settings: Settings, rows: int) -> Settings:
    from dataclasses import replace

    return replace(settings, rows_per_bucket=rows)


def _planned_run(run: DatasetRun, planned: Any) -> DatasetRun:
    from dataclasses import replace

    return replace(run, attempt=planned.attempt, buckets=planned.buckets)


CHILD = """
import json, sys
from datetime import datetime
from popsync.local.dag_runner import run_dag
result = run_dag(sys.argv[1], datetime.fromisoformat(sys.argv[2]))
print("RESULT " + json.dumps({"state": result.state, "run_id": result.run_id}))
"""


def _sector_yaml() -> str:
    """The shipped health-insurance definition as the test sector, reading the same database, its
    cards keeping incremental state (each bucket keeps its share)."""
    shipped = (INCLUDE_DIR / "sectors" / "health_insurance.yaml").read_text(encoding="utf-8")
    assert "sector: health_insurance\n" in shipped
    assert "    title: Health-insurance cards\n" in shipped
    sector = shipped.replace(
        "sector: health_insurance\n", f"sector: {SECTOR}\nsource_conn_id: {_sector().conn_id}\n", 1
    )
    return sector.replace(
        "    title: Health-insurance cards\n",
        "    title: Health-insurance cards\n    incremental: {full_every_days: 7}\n",
        1,
    )


def _task_instances(run_id: str) -> tuple[dict[tuple[str, int], str], list[object]]:
    """The run's task states by (task, map index) and its peak-memory XCom values, from Airflow's database."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from popsync.airflow.sector_dag import PEAK_MEMORY_XCOM

    with create_session() as session:
        instances = session.execute(
            select(TaskInstance.task_id, TaskInstance.map_index, TaskInstance.state).where(
                TaskInstance.dag_id == f"sync_{SECTOR}", TaskInstance.run_id == run_id
            )
        ).all()
        xcoms = session.scalars(
            select(XComModel).where(
                XComModel.dag_id == f"sync_{SECTOR}", XComModel.run_id == run_id, XComModel.key == PEAK_MEMORY_XCOM
            )
        ).all()
        peaks = [XComModel.deserialize_value(xcom) for xcom in xcoms]
    return {(task, index): str(state) for task, index, state in instances}, peaks


def test_airflow_maps_reconcile_over_the_buckets(
    hard_cases: dict[str, list[str]], settings: Settings, fresh_date: Any, tmp_path: Path
) -> None:
    """Through Airflow (the shipped sector DAG file, ``dag.test`` in a process of its own): the
    extract's size and ``POPSYNC_ROWS_PER_BUCKET`` give three buckets, one mapped reconcile task
    instance each, and one publish of all."""
    sector = _sector()
    records = plan_module.count_records(DatasetRun(sector, sector.datasets[0], "manual__buckets_count", fresh_date()))
    assert records is not None and records > 1000
    sectors_dir = tmp_path / "sectors"
    sectors_dir.mkdir()
    (sectors_dir / f"{SECTOR}.yaml").write_text(_sector_yaml(), encoding="utf-8")
    env = {
        **os.environ,
        "POPSYNC_SECTORS_DIR": str(sectors_dir),
        "POPSYNC_ROWS_PER_BUCKET": str(math.ceil(records / 3)),
        "POPSYNC_TASK_RETRIES": "0",
    }
    env.pop(KILL_AT_ENV, None)
    when = fresh_date()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, f"sync_{SECTOR}", when.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and results, tail
    outcome = json.loads(results[-1].removeprefix("RESULT "))
    assert outcome["state"] == "success", tail

    states, peaks = _task_instances(outcome["run_id"])
    assert sorted(index for task, index in states if task == "cards.reconcile") == [0, 1, 2], states
    assert all(state == "success" for state in states.values() if state != "skipped"), states
    assert any(isinstance(peak, (int, float)) and peak > 0 for peak in peaks), peaks
    published = _published(settings)
    assert published["buckets"] == [0, 1, 2]
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_inherits JOIN pg_class ON pg_class.oid = inhparent "
            "WHERE relname = (SELECT matches_table FROM sync.published_runs WHERE sector = %s)",
            (SECTOR,),
        ).fetchone()
        work = list((settings.work_dir / "runs").glob(f"{SECTOR}__*"))
    assert row is not None and row[0] == 3, "the published run table has one partition per bucket"
    assert not work, "the plan's files are removed once every bucket has finished"
    # each bucket task kept its share of the state; the task after them made one state of the shares
    state = _published_state(settings)
    try:
        manifest = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
        assert (manifest["base_parts"], manifest["layers"], manifest["mode"]) == ("3", "0", "full")
        assert sorted(path.name for path in state.glob("records-part*.parquet")) == [
            f"records-part{n}.parquet" for n in range(3)
        ]
        assert not list(state.glob("register-*.id")) and (state / "register.parquet").is_file()
    finally:
        shutil.rmtree(state.parent, ignore_errors=True)


def _published_state(settings: Settings) -> Path:
    with psycopg.connect(settings.database_url_for("popsync_warehouse")) as conn:
        row = conn.execute("SELECT state_ref FROM sync.published_runs WHERE sector = %s", (SECTOR,)).fetchone()
    assert row is not None and row[0] is not None, "a split run of a dataset that keeps state keeps it"
    return Path(str(row[0]))
