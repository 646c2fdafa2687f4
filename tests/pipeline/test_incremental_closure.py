"""The incremental closure, checked against full classification on random data (DuckDB only).

For many random small datasets and registers full of collisions (shared former CMNDs, records
sharing an ID, names shared by several persons, IDs one slip away from a person's), a first full
classification keeps its state; random changes follow at the source and in the register; then
the records of ``affected_keys.sql`` are classified again and every other record's rows are
carried over from the first run, and the result must equal a full classification of the
changed data: matches, mismatches (reasons, details, suggested ID), candidate lists and metrics.
tests/integration/test_incremental.py runs the same through PostgreSQL and the DAG's sequence.
"""

import json
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from popsync.db.duck import sql_string, store_arrow
from popsync.db.sql_files import read_sql
from popsync.generate.suggestions import province_successors
from popsync.pipeline.baseline import Baseline
from popsync.pipeline.incremental import (
    REGISTER_FILE,
    add_row_hashes,
    combine_outcomes,
    keep_records,
    kept_base_parts,
    narrow_to_affected,
    read_state,
)
from popsync.pipeline.metrics import compute_metrics
from popsync.pipeline.normalise import create_normalised
from popsync.pipeline.reconcile import link_records, search_suggestions
from tests.pipeline.helpers import LOGICAL_DATE, RAW_COLUMNS, dataset, load_raw, session

NAMES = ("NGUYỄN VĂN AN", "TRẦN THỊ BÌNH", "LÊ VĂN CƯỜNG", "PHẠM THỊ DUNG", "Nguyen Van An")
DATES = ("01/02/1980", "15/06/1975", "20/11/1990", "01/02/1981")
PREFIXES = ("001", "079")
Rows = list[dict[str, Any]]


def _person_id(rng: random.Random) -> str:
    return rng.choice(PREFIXES) + rng.choice("0123") + f"{rng.randrange(0, 50):08d}"


def _register(rng: random.Random) -> Rows:
    persons: Rows = []
    ids: set[str] = set()
    cmnds = [f"{100000000 + n}" for n in range(12)]
    while len(persons) < 40:
        national_id = _person_id(rng)
        if national_id in ids:
            continue
        ids.add(national_id)
        day, month, year = (int(part) for part in rng.choice(DATES).split("/"))
        persons.append(
            {
                "national_id": national_id,
                "former_cmnd": rng.choice(cmnds) if rng.random() < 0.4 else None,
                "full_name": rng.choice(NAMES[:4]),
                "birth_date": f"{year:04d}-{month:02d}-{day:02d}",
                "birth_date_precision": "day",
                "gender": rng.choice("MF"),
                "residence_province": rng.choice(PREFIXES),
                "is_deceased": rng.random() < 0.1,
                "date_of_death": None,
            }
        )
    return persons


def _record(rng: random.Random, persons: Rows, key: str) -> dict[str, Any]:
    person = rng.choice(persons)
    roll = rng.random()
    if roll < 0.5:
        national_id = person["national_id"]
    elif roll < 0.65:
        national_id = person["former_cmnd"] or f"{100000000 + rng.randrange(12)}"
    elif roll < 0.8:  # one slip away: two digits swapped or one mistyped
        digits = list(person["national_id"])
        position = rng.randrange(4, 11)
        if rng.random() < 0.5:
            digits[position], digits[position + 1] = digits[position + 1], digits[position]
        else:
            digits[position] = str(rng.randrange(10))
        national_id = "".join(digits)
    elif roll < 0.9:
        national_id = _person_id(rng)
    else:
        national_id = rng.choice((None, "12345", person["national_id"][1:]))
    year, month, day = person["birth_date"].split("-")
    return {
        "source_key": key,
        "national_id": national_id,
        "full_name": person["full_name"] if rng.random() < 0.8 else rng.choice(NAMES),
        "birth_date": f"{day}/{month}/{year}" if rng.random() < 0.85 else rng.choice(DATES),
        "gender": {"M": "Nam", "F": "Nữ"}[person["gender"]] if rng.random() < 0.9 else rng.choice(("Nam", "Nữ")),
        "is_active": rng.random() < 0.8,
    }


def _change(rng: random.Random, rows: Rows, persons: Rows) -> tuple[Rows, Rows]:
    rows = [dict(row) for row in rows if rng.random() > 0.05]  # some records disappear
    for row in rng.sample(rows, max(1, len(rows) // 15)):
        row.update({k: v for k, v in _record(rng, persons, row["source_key"]).items() if rng.random() < 0.5})
    rows += [_record(rng, persons, f"n{rng.randrange(10**6)}") for _ in range(3)]
    persons = [dict(person) for person in persons if rng.random() > 0.03]
    for person in rng.sample(persons, 4):
        change = rng.randrange(5)
        if change == 0:
            person.update(is_deceased=True, date_of_death="2026-11-01")
        elif change == 1:
            person["former_cmnd"] = None if person["former_cmnd"] else f"{100000000 + rng.randrange(12)}"
        elif change == 2:
            person["full_name"] = rng.choice(NAMES[:4])
        elif change == 3:
            person["birth_date"] = "1980-02-01"
        else:
            person["residence_province"] = rng.choice(PREFIXES)
    known = {person["national_id"] for person in persons}
    for new in _register(rng)[:3]:
        if new["national_id"] not in known:
            persons.append(new)
    return rows, persons


def _load(duck: duckdb.DuckDBPyConnection, rows: Rows, persons: Rows) -> None:
    load_raw(duck, [{column: row.get(column) for column in RAW_COLUMNS} for row in rows])
    keys = [row["source_key"] for row in rows]
    duck.execute("UPDATE raw_extract SET source_key = keys[rowid + 1] FROM (SELECT ? AS keys)", [keys])
    create_normalised(duck, dataset(), LOGICAL_DATE.date())
    duck.execute(
        "CREATE TABLE persons_now (national_id VARCHAR, former_cmnd VARCHAR, full_name VARCHAR, birth_date DATE, "
        "birth_date_precision VARCHAR, gender VARCHAR, residence_province VARCHAR, is_deceased BOOLEAN, "
        "date_of_death DATE)"
    )
    columns = ("national_id", "former_cmnd", "full_name", "birth_date", "birth_date_precision", "gender",
               "residence_province", "is_deceased", "date_of_death")  # fmt: skip
    duck.executemany(
        "INSERT INTO persons_now VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[person[c] for c in columns] for person in persons],
    )
    duck.execute("ALTER TABLE persons_now ADD COLUMN name_key VARCHAR")
    duck.execute("UPDATE persons_now SET name_key = name_key(full_name)")
    duck.execute("CREATE TABLE previous_mismatches (source_key VARCHAR, first_seen TIMESTAMPTZ)")


def _classify(duck: duckdb.DuckDBPyConnection, *, incremental: bool) -> None:
    duck.execute(f"CREATE TABLE wanted_ids AS {read_sql('duckdb/wanted_ids.sql')}")
    linkable = read_sql("duckdb/linkable_persons.sql").replace("persons_source", "persons_now")
    duck.execute(f"CREATE TABLE register AS {linkable}")
    duck.execute("CREATE VIEW register_all AS SELECT *, fold_key(name_key) AS folded_key FROM persons_now")
    store_arrow(duck, "province_successors", province_successors())  # reference.provinces' pairs
    links = "duckdb/incremental/dataset_links.sql" if incremental else "duckdb/dataset_links.sql"
    link_records(duck, checks_deceased=True, logical_date=LOGICAL_DATE, links_sql=links)
    search_suggestions(duck)


def _outputs(duck: duckdb.DuckDBPyConnection) -> dict[str, set[tuple[Any, ...]]]:
    return {
        "matches": set(duck.sql(read_sql("duckdb/matches_output.sql")).fetchall()),
        "mismatches": {
            tuple(str(value) for value in row)
            for row in duck.sql(
                "SELECT * REPLACE (first_seen::VARCHAR AS first_seen) FROM "
                f"({read_sql('duckdb/mismatches_output.sql')})"
            ).fetchall()
        },
        "candidates": {
            tuple(str(value) for value in row)
            for row in duck.sql(read_sql("duckdb/suggestion_candidates_output.sql")).fetchall()
        },
    }


def _full(rows: Rows, persons: Rows, folder: Path | None = None) -> tuple[dict[str, Any], Any]:
    with session() as duck:
        _load(duck, rows, persons)
        add_row_hashes(duck)
        _classify(duck, incremental=False)
        outputs = _outputs(duck)
        if folder is not None:
            _keep(duck, folder, None)
        return outputs, compute_metrics(duck, has_active=True)


def _keep(duck: duckdb.DuckDBPyConnection, folder: Path, previous: Path | None, max_layers: int = 8) -> int:
    """What write_state keeps, without a warehouse: the layered records, the register, the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    layers = keep_records(duck, folder, previous, max_layers=max_layers)
    duck.execute(f"COPY persons_now TO {sql_string(folder / REGISTER_FILE)} (FORMAT parquet)")
    manifest = {"layers": str(layers), "base_parts": str(kept_base_parts(previous, layers))}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return layers


def _incremental(
    rows: Rows,
    persons: Rows,
    folder: Path,
    before: dict[str, set[tuple[Any, ...]]],
    keep: Path | None = None,
    max_layers: int = 8,
) -> tuple[dict[str, Any], Any, int]:
    """Classify the closure against the state in ``folder``; ``keep``: where to keep the run's state."""
    with session() as duck:
        _load(duck, rows, persons)
        classified, _ = narrow_to_affected(duck, Baseline(str(folder), "r1", LOGICAL_DATE), "persons_now")
        _classify(duck, incremental=True)
        outputs = _outputs(duck)
        excluded = {key for (key,) in duck.execute("SELECT source_key FROM affected_keys").fetchall()}
        for table, rows_before in before.items():
            outputs[table] |= {row for row in rows_before if row[0] != "None" and row[0] not in excluded}
        if keep is not None:
            _keep(duck, keep, folder, max_layers)
        combine_outcomes(duck)
        return outputs, compute_metrics(duck, has_active=True), classified


def _state(folder: Path) -> set[tuple[Any, ...]]:
    with session() as duck:
        read_state(duck, folder, "kept")
        return {tuple(str(value) for value in row) for row in duck.execute("SELECT * FROM kept").fetchall()}


@pytest.mark.parametrize("seed", range(12))
def test_incremental_equals_full_on_random_changes(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    persons = _register(rng)
    rows = [_record(rng, persons, f"k{n}") for n in range(60)]
    before, _ = _full(rows, persons, tmp_path)
    before = {table: {tuple(str(v) for v in row) for row in found} for table, found in before.items()}
    changed_rows, changed_persons = _change(rng, rows, persons)
    full, full_metrics = _full(changed_rows, changed_persons)
    full = {table: {tuple(str(v) for v in row) for row in found} for table, found in full.items()}
    incremental, metrics, classified = _incremental(changed_rows, changed_persons, tmp_path, before)
    incremental = {table: {tuple(str(v) for v in row) for row in found} for table, found in incremental.items()}
    for table in ("matches", "mismatches", "candidates"):
        assert incremental[table] == full[table], (table, incremental[table] ^ full[table])
    assert metrics == full_metrics
    assert classified <= len(changed_rows)


def test_nothing_changed_classifies_nothing(tmp_path: Path) -> None:
    rng = random.Random(99)
    persons = _register(rng)
    rows = [_record(rng, persons, f"k{n}") for n in range(60)]
    before, metrics_before = _full(rows, persons, tmp_path)
    before = {table: {tuple(str(v) for v in row) for row in found} for table, found in before.items()}
    rows_without_keys = sum(1 for row in rows if row["source_key"] is None)
    incremental, metrics, classified = _incremental(rows, persons, tmp_path, before)
    assert classified == rows_without_keys == 0
    assert {table: {tuple(str(v) for v in row) for row in found} for table, found in incremental.items()} == before
    assert metrics == metrics_before


@pytest.mark.parametrize(("seed", "max_layers"), [(seed, max_layers) for seed in range(4) for max_layers in (8, 1)])
def test_runs_in_a_row_keep_a_layered_state_equal_to_a_full_runs(seed: int, max_layers: int, tmp_path: Path) -> None:
    """Incremental runs one after another, each starting from the state the previous one kept
    (layers on a base; with max_layers 1 the third run writes a new base): every run's results
    and kept state equal a full run's on the same data."""
    rng = random.Random(100 + seed)
    persons = _register(rng)
    rows = [_record(rng, persons, f"k{n}") for n in range(60)]
    folders = [tmp_path / f"run{n}" for n in range(4)]
    before, _ = _full(rows, persons, folders[0])
    before = {table: {tuple(str(v) for v in row) for row in found} for table, found in before.items()}
    for run in range(1, 4):
        rows, persons = _change(rng, rows, persons)
        full_folder = tmp_path / f"full{run}"
        full, full_metrics = _full(rows, persons, full_folder)
        full = {table: {tuple(str(v) for v in row) for row in found} for table, found in full.items()}
        incremental, metrics, _ = _incremental(rows, persons, folders[run - 1], before, folders[run], max_layers)
        incremental = {table: {tuple(str(v) for v in row) for row in found} for table, found in incremental.items()}
        for table in ("matches", "mismatches", "candidates"):
            assert incremental[table] == full[table], (run, table, incremental[table] ^ full[table])
        assert metrics == full_metrics
        assert _state(folders[run]) == _state(full_folder), run
        layers = json.loads((folders[run] / "manifest.json").read_text(encoding="utf-8"))["layers"]
        assert layers == str(run if max_layers == 8 else (0 if run == 2 else 1)), (run, layers)
        before = incremental


@pytest.mark.parametrize("seed", range(3))
def test_a_base_kept_in_parts_reads_as_one(seed: int, tmp_path: Path) -> None:
    """A split full run's buckets each keep their share of the base (``keep_records(part=...)``):
    the state reads as an unsplit run's, an incremental run from it equals a full run, and the
    state it keeps links the parts under its own layer."""
    rng = random.Random(200 + seed)
    persons = _register(rng)
    rows = [_record(rng, persons, f"k{n}") for n in range(60)]
    whole, parted, after = tmp_path / "whole", tmp_path / "parted", tmp_path / "after"
    before, _ = _full(rows, persons, whole)
    before = {table: {tuple(str(v) for v in row) for row in found} for table, found in before.items()}
    parted.mkdir()
    with session() as duck:
        _load(duck, rows, persons)
        add_row_hashes(duck)
        _classify(duck, incremental=False)
        duck.execute("ALTER TABLE reconciled RENAME TO every_record")
        for part in range(3):  # each bucket's records, as the split's key slots would share them out
            duck.execute(
                "CREATE OR REPLACE TABLE reconciled AS SELECT * FROM every_record "
                "WHERE hash(coalesce(source_key, '')) % 3 = ?",
                [part],
            )
            assert keep_records(duck, parted, None, part=part) == 0
        duck.execute(f"COPY persons_now TO {sql_string(parted / REGISTER_FILE)} (FORMAT parquet)")
    (parted / "manifest.json").write_text(json.dumps({"layers": "0", "base_parts": "3"}), encoding="utf-8")
    assert sorted(path.name for path in parted.glob("records*")) == [f"records-part{n}.parquet" for n in range(3)]
    assert _state(parted) == _state(whole)

    rows, persons = _change(rng, rows, persons)
    full, full_metrics = _full(rows, persons)
    full = {table: {tuple(str(v) for v in row) for row in found} for table, found in full.items()}
    incremental, metrics, _ = _incremental(rows, persons, parted, before, after)
    incremental = {table: {tuple(str(v) for v in row) for row in found} for table, found in incremental.items()}
    for table in ("matches", "mismatches", "candidates"):
        assert incremental[table] == full[table], (table, incremental[table] ^ full[table])
    assert metrics == full_metrics
    manifest = json.loads((after / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["layers"], manifest["base_parts"]) == ("1", "3")
    for part in range(3):  # linked, not rewritten
        assert (after / f"records-part{part}.parquet").stat().st_ino == (
            parted / f"records-part{part}.parquet"
        ).stat().st_ino


def test_a_part_of_the_base_is_written_only_for_a_full_run(tmp_path: Path) -> None:
    with session() as duck, pytest.raises(ValueError, match="split full run"):
        keep_records(duck, tmp_path, tmp_path, part=0)
