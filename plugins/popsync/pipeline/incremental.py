"""Incremental runs: classify again only the records whose results can have changed.

A dataset whose sector YAML sets ``incremental`` keeps, beside each published run, the state of
its records (key, row hash, what each resolved and linked to, its outcome) and the register it
was classified against, in ``<POPSYNC_WORK_DIR>/state/<sector>__<dataset>/<run>/``. The next run
is incremental when that state belongs to the published run, was made by the same rules and
dataset definition, and the last full run is less than ``full_every_days`` old; else it is full
(and ``full_run`` forces one). An incremental run is one bucket. A PostgreSQL source's run
reads every record's key and source-computed hash, then only the rows it needs
(``pipeline/keyed_extract.py``); any other source's extracts and normalises every record. Then:

1. hashes every normalised row (``incremental/row_hashes.sql``; a keyed run has the source's),
2. compares the register with the baseline's (``incremental/register_changes.sql``),
3. computes the closure of records whose results can have changed (``incremental/affected_keys.sql``;
   why it is complete: docs/running.md, "Incremental runs"),
4. classifies those records exactly as a full run does, with the whole dataset's links,
5. writes their results (the run's *delta*) and the keys it does not carry over,
6. counts the metrics over both, and keeps the new state for the next run: the state's layers
   it started from (hard links) and one more with what it classified (:func:`keep_records`).

A full run split into buckets keeps the state too: each bucket its records' share of the base
(:func:`write_state_part`), made one state by :func:`finish_split_state` after the last bucket.

``publish`` deletes those keys' rows from the published tables and attaches what remains,
unrewritten, beside the delta (``pipeline/carried.py``), and records the state with the run
(``sync.published_runs.run_mode``, ``state_ref``).
"""

import hashlib
import inspect
import json
import logging
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from psycopg import sql

from popsync.db.connections import connect
from popsync.db.identifiers import quoted
from popsync.db.sql_files import read_sql
from popsync.pipeline.baseline import Baseline
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.state_folders import state_folder, state_root
from popsync.pipeline.step_timer import StepTimer
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.settings import WAREHOUSE_CONN_ID

if TYPE_CHECKING:  # DuckDB is imported by the stage that runs it
    import duckdb

    from popsync.pipeline.register_source import RegisterSource
    from popsync.pipeline.results import PlanResult

_log = logging.getLogger(__name__)

STATE_FORMAT = 4
"""Bumped whenever the state's files change; an older state makes the next run full."""
RECORDS_FILE = "records.parquet"
"""The state's base (layer 0): every record's state, kept by a full run or a compaction."""
REGISTER_VERSION_FILE = "register-{part}.id"
"""A bucket of a split run: which register version it classified against (``reference.snapshot.register_version``)."""
REGISTER_FILE = "register.parquet"
MANIFEST_FILE = "manifest.json"
MAX_LAYERS = 8
"""Incremental layers kept on top of the base; the run that would add one more writes a new base."""

_RULE_FILES = (
    "duckdb/macros.sql",
    "duckdb/normalise.sql",
    "duckdb/reconcile.sql",
    "duckdb/legacy_candidates.sql",
    "duckdb/legacy_ids.sql",
    "duckdb/reconciled.sql",
    "duckdb/linkable_persons.sql",
    "duckdb/suggestions.sql",
    "duckdb/suggestions_per_record.sql",
    "duckdb/matches_output.sql",
    "duckdb/mismatches_output.sql",
    "duckdb/suggestion_candidates_output.sql",
    "duckdb/incremental/row_hashes.sql",
    "duckdb/incremental/register_changes.sql",
    "duckdb/incremental/affected_keys.sql",
    "duckdb/incremental/state_records.sql",
    "duckdb/incremental/previous_state.sql",
    "duckdb/incremental/dataset_links.sql",
    "duckdb/incremental/key_changes.sql",
    "duckdb/incremental/keyed_rows.sql",
    "duckdb/incremental/reread_keys.sql",
    "duckdb/incremental/keyed_changes.sql",
    "duckdb/incremental/current_records.sql",
    "warehouse/province_successors.sql",
)

EXCLUDED_KIND = "excluded_keys"
"""The janitor's kind of an incremental run's excluded-keys table (``DatasetRun.excluded_keys_table``)."""


def _scope(run: DatasetRun) -> dict[str, str]:
    return {"sector": run.sector.sector, "dataset": run.dataset.name}


class BaselineMovedError(DataRejectedError):
    """The run carried rows over from a published run that is no longer the published one."""


def fingerprint(run: DatasetRun) -> str:
    """What makes a state reusable: the rules (SQL and normalisation code), the dataset's definition and
    the reference tables the rules read besides the register (the province codes then and now)."""
    from popsync.pipeline import normalise

    digest = hashlib.sha256(f"state {STATE_FORMAT}\n".encode())
    for name in _RULE_FILES:
        digest.update(read_sql(name).encode())
    digest.update(inspect.getsource(normalise).encode())
    digest.update(run.dataset.model_dump_json().encode())
    # the province codes then and now, which the suggestions' residence evidence reads
    with connect(WAREHOUSE_CONN_ID) as conn:
        successors = conn.execute(read_sql("warehouse/province_successors.sql")).fetchall()
    digest.update(repr(sorted(successors)).encode())
    return digest.hexdigest()


def _manifest(folder: Path) -> dict[str, str] | None:
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def choose_baseline(run: DatasetRun) -> Baseline | None:
    """The baseline of an incremental run, or None when the run must be full (and why, in the log)."""
    config = run.dataset.incremental
    if config is None:
        return None
    if run.full_run:
        _log.info("%s: a full run was asked for", run.label)
        return None
    ensure_warehouse_schema()  # a warehouse from before incremental runs gains state_ref here
    with connect(WAREHOUSE_CONN_ID) as conn:
        row = conn.execute(read_sql("warehouse/published_run.sql"), _scope(run)).fetchone()
    if row is None or row[2] is None:
        _log.info("%s: full run (no published state to start from)", run.label)
        return None
    run_id, published_date, state_ref = str(row[0]), row[1], Path(str(row[2]))
    manifest = _manifest(state_ref)
    files = state_files(state_ref, _layer_count(manifest), _base_parts(manifest))
    complete = manifest is not None and all(path.is_file() for path in (state_ref / REGISTER_FILE, *files))
    if manifest is None or not complete or manifest.get("run_id") != run_id:
        _log.info("%s: full run (the published run's state is missing)", run.label)
        return None
    if manifest.get("fingerprint") != fingerprint(run):
        _log.info("%s: full run (the rules or the dataset's definition changed since the published run)", run.label)
        return None
    if run_id == run.run_id:  # its carried leaf would need the run's own partition value
        _log.info("%s: full run (a new attempt of the published run)", run.label)
        return None
    last_full = datetime.fromisoformat(manifest["last_full_date"])
    if run.logical_date < published_date:
        _log.info("%s: full run (older than the published run)", run.label)
        return None
    if run.logical_date - last_full >= timedelta(days=config.full_every_days):
        _log.info("%s: full run (the last full run is %d days or more old)", run.label, config.full_every_days)
        return None
    return Baseline(str(state_ref), run_id, last_full)


def narrow_to_affected(
    duck: "duckdb.DuckDBPyConnection",
    baseline: Baseline,
    persons: str,
    timings: list[tuple[str, float]] | None = None,
    *,
    repeats_now: bool = True,
    current: str = "normalised",
) -> tuple[int, int]:
    """Hash the session's ``normalised``, find the affected records, keep only them in ``normalised``.

    ``persons`` is the current register relation of the session. Leaves ``carried_state`` (the
    baseline state of every record carried over) and ``affected_keys`` (every key not carried
    over). Returns (records classified again, records carried over). ``timings``, when given,
    receives the seconds of each part (``affected.<part>``). ``repeats_now``: whether some source
    key is held by several current records (the gate's profile); the baseline's manifest says
    the same of its records. ``current``: the relation of every current record (key, row hash,
    ID): ``normalised``, or in a run that read only the changed rows again (``keyed_extract``),
    its ``current_records``; then the session holds ``previous_state`` already.
    """
    from popsync.db.duck import sql_string

    step = StepTimer([] if timings is None else timings)
    folder = Path(baseline.folder)

    def previous_state() -> None:
        add_row_hashes(duck)
        if current == "normalised":
            read_state(duck, folder, "previous_state")

    def register() -> None:
        previous = _with_person_hash(duck, f"read_parquet({sql_string(folder / REGISTER_FILE)})", "previous_hashed")
        duck.execute(f"CREATE VIEW previous_register AS SELECT * FROM {previous}")
        current = _with_person_hash(duck, persons, "current_hashed")
        changes = read_sql("duckdb/incremental/register_changes.sql").replace("persons_source", current)
        duck.execute(f"CREATE TABLE register_changes AS {changes}")

    def closure() -> None:
        if current == "normalised":  # a run that read only keys and hashes made key_changes already
            params = {"repeats_now": repeats_now, "repeats_before": repeats_before(baseline)}
            duck.execute(f"CREATE TABLE key_changes AS {read_sql('duckdb/incremental/key_changes.sql')}", params)
        affected = (
            read_sql("duckdb/incremental/affected_keys.sql")
            .replace("persons_source", persons)
            .replace("current_source", current)
        )
        duck.execute(f"CREATE TABLE affected_keys AS {affected}")

    def narrow() -> None:
        # the baseline's state becomes the carried state in place: deleting about 1 % of its rows
        # costs less than copying the other 99 % into a new table
        duck.execute(
            "DELETE FROM previous_state "
            "WHERE source_key IS NULL OR source_key IN (SELECT source_key FROM affected_keys)"
        )
        duck.execute("ALTER TABLE previous_state RENAME TO carried_state")
        duck.execute(
            "CREATE OR REPLACE TABLE normalised AS SELECT * FROM normalised "
            "WHERE source_key IS NULL OR source_key IN (SELECT source_key FROM affected_keys)"
        )
        duck.execute("DROP TABLE register_changes")
        duck.execute("DROP TABLE key_changes")
        for view in ("previous_register", "previous_hashed", "current_hashed"):
            duck.execute(f"DROP VIEW IF EXISTS {view}")

    step("affected.previous_state", previous_state)
    step("affected.register", register)
    step("affected.closure", closure)
    step("affected.narrow", narrow)
    classified = count_rows(duck, "normalised")
    carried = count_rows(duck, "carried_state")
    return classified, carried


def repeats_before(baseline: Baseline) -> bool:
    """Whether some source key was held by several records of the baseline (True when not known)."""
    return (_manifest(Path(baseline.folder)) or {}).get("keys_repeated", "unknown") != "0"


def hashed_at_source(baseline: Baseline) -> bool:
    """Whether the baseline's row hashes are the source database's (``sources/postgres.py``), so that
    a run can compare the source's hashes with its state before reading any row."""
    return (_manifest(Path(baseline.folder)) or {}).get("row_hashes") == "source"


def _with_person_hash(duck: "duckdb.DuckDBPyConnection", relation: str, view: str) -> str:
    """``relation`` (a register) with its persons' version hashes: the snapshot stores them; a
    snapshot written before it did, or the mirror streamed in, gets them computed here (the view
    ``view``, ``duckdb/person_hashes.sql``)."""
    columns = {str(row[0]) for row in duck.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    if "person_hash" in columns:
        return relation
    hashed = read_sql("duckdb/person_hashes.sql").replace("persons_source", relation)
    duck.execute(f"CREATE OR REPLACE VIEW {view} AS {hashed}")
    return view


def _layer_count(manifest: dict[str, str] | None) -> int:
    try:
        return int((manifest or {}).get("layers", "0"))
    except ValueError:
        return 0


def _base_parts(manifest: dict[str, str] | None) -> int:
    """How many files the state's base is kept in: one per bucket of the split full run that wrote
    it, else one."""
    try:
        return max(1, int((manifest or {}).get("base_parts", "1")))
    except ValueError:
        return 1


def base_part_file(part: int) -> str:
    """The records file bucket ``part`` of a split full run writes as its share of the base."""
    return f"records-part{part}.parquet"


def _layer_files(layer: int, parts: int = 1) -> tuple[list[str], str]:
    """The names of one layer's records files and its dropped-keys file (layer 0: the base, in
    ``parts`` files when a split full run wrote it)."""
    if layer == 0:
        records = [RECORDS_FILE] if parts == 1 else [base_part_file(part) for part in range(parts)]
    else:
        records = [f"records-{layer}.parquet"]
    return records, f"dropped-{layer}.parquet"


def state_files(folder: Path, layers: int, parts: int = 1) -> list[Path]:
    """Every records and dropped-keys file of a state with ``layers`` layers on a base of ``parts`` files."""
    paths = []
    for layer in range(layers + 1):
        records, dropped = _layer_files(layer, parts)
        paths += [folder / name for name in (*records, dropped)]
    return paths


def read_state(duck: "duckdb.DuckDBPyConnection", folder: Path, table: str) -> None:
    """Create ``table``: the record state kept in ``folder``, its layers assembled
    (``incremental/previous_state.sql``)."""
    from popsync.db.duck import sql_string

    manifest = _manifest(folder)
    layers, parts = _layer_count(manifest), _base_parts(manifest)
    records = [sql_string(folder / name) for layer in range(layers + 1) for name in _layer_files(layer, parts)[0]]
    dropped = [sql_string(folder / _layer_files(layer)[1]) for layer in range(layers + 1)]
    statement = (
        read_sql("duckdb/incremental/previous_state.sql")
        .replace("__layers__", "[" + ", ".join(records) + "]")
        .replace("__dropped__", "[" + ", ".join(dropped) + "]")
    )
    duck.execute(f"CREATE TABLE {table} AS {statement}", {"last_layer": layers})


def keep_records(
    duck: "duckdb.DuckDBPyConnection",
    folder: Path,
    previous: Path | None,
    *,
    max_layers: int = MAX_LAYERS,
    part: int | None = None,
) -> int:
    """Write the record state of the session's run into ``folder`` (new and empty); return its layer count.

    A full run (``previous`` None) writes the base: every record (``state_records.sql``). An
    incremental run keeps the layers of the state it started from (``previous``, hard links:
    no row is rewritten) and adds one: the records it classified (``reconciled``) and the keys
    it did not carry over (``affected_keys``). The run that would exceed ``max_layers`` writes
    a new base instead, from its records and ``carried_state``.

    ``part``: a bucket of a split full run writes only its records' share of the base
    (:func:`base_part_file`); bucket 0 also writes the base's (empty) dropped-keys file.
    """
    from popsync.db.duck import sql_string

    if part is not None and (previous is not None or part < 0):
        raise ValueError("a part of the base is written by a bucket of a split full run")
    records = read_sql("duckdb/incremental/state_records.sql")
    manifest = None if previous is None else _manifest(previous)
    layers = 0 if previous is None else _layer_count(manifest) + 1
    if previous is not None and layers > max_layers:
        records = f"{records} UNION ALL BY NAME SELECT * FROM carried_state"
        layers = 0
    if layers > 0:
        assert previous is not None
        for path in state_files(previous, layers - 1, _base_parts(manifest)):
            _link_or_copy(path, folder / path.name)
    names, dropped_name = _layer_files(layers)
    records_file = sql_string(folder / (names[0] if part is None else base_part_file(part)))
    duck.execute(f"COPY (SELECT *, {layers} AS state_layer FROM ({records})) TO {records_file} (FORMAT parquet)")
    if part not in (None, 0):
        return layers
    dropped = (
        f"SELECT source_key, {layers} AS state_layer FROM affected_keys"
        if layers > 0
        else "SELECT NULL::VARCHAR AS source_key, 0 AS state_layer WHERE false"
    )
    duck.execute(f"COPY ({dropped}) TO {sql_string(folder / dropped_name)} (FORMAT parquet)")
    return layers


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link to a file that is never rewritten in place (else a copy)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def count_rows(duck: "duckdb.DuckDBPyConnection", relation: str) -> int:
    """The rows of the session's ``relation`` (the caller's own SQL). Every row of the result is
    fetched, so the session is free for what follows (a registered Arrow stream refuses a session
    with an unfinished result)."""
    return int(duck.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])


def add_row_hashes(duck: "duckdb.DuckDBPyConnection") -> None:
    """Give the session's ``normalised`` its row hashes, unless normalisation added them already
    (``create_normalised(..., row_hashes=True)``)."""
    columns = {str(row[0]) for row in duck.execute("DESCRIBE normalised").fetchall()}
    if "row_hash" in columns:
        return
    duck.execute(f"CREATE OR REPLACE TABLE normalised AS {read_sql('duckdb/incremental/row_hashes.sql')}")


def carry_over(run: DatasetRun, baseline: Baseline, duck: "duckdb.DuckDBPyConnection") -> int:
    """Hand publish the keys not carried over; the carried rows themselves are not touched here.

    The keys classified again or removed at the source go, once, into the run's excluded-keys
    table (registered with the janitor before it exists). Publish deletes those keys' rows from
    the published partitions and attaches what remains, unrewritten, beside the rows this run
    classified (``pipeline/carried.py``). Returns the number of keys sent.
    """
    from popsync.pipeline.janitor import register_run_table

    keys = duck.execute("SELECT source_key FROM affected_keys").fetchall()
    table = quoted(*run.excluded_keys_table)
    with connect(WAREHOUSE_CONN_ID) as conn:
        row = conn.execute(read_sql("warehouse/published_run.sql"), _scope(run)).fetchone()
        if row is None or row[0] != baseline.run_id or row[3] is None:
            raise BaselineMovedError(f"{run.label}: the run it started from is no longer published; run it again")
        register_run_table(conn, run, EXCLUDED_KIND, run.excluded_keys_table)
        conn.commit()  # registered before the table exists: a kill leaves nothing the janitor does not know
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(sql.SQL(read_sql("warehouse/carry_keys.sql")).format(table=table))
        with conn.cursor().copy(sql.SQL("COPY {} (source_key) FROM STDIN").format(table)) as copy:
            for (key,) in keys:
                copy.write_row((key,))
        conn.execute(sql.SQL("ANALYZE {}").format(table))
        conn.commit()
    return len(keys)


def combine_outcomes(duck: "duckdb.DuckDBPyConnection") -> None:
    """Make ``reconciled`` hold every record's outcome (classified and carried) for the metrics."""
    duck.execute("ALTER TABLE reconciled RENAME TO classified_records")
    duck.execute(f"CREATE TABLE reconciled AS {read_sql('duckdb/incremental/metrics_outcomes.sql')}")


def write_state(
    run: DatasetRun,
    duck: "duckdb.DuckDBPyConnection",
    register: "RegisterSource",
    baseline: Baseline | None,
    keys_repeated: int | None = None,
    *,
    source_hashes: bool = False,
) -> Path:
    """Keep the run's state: every record's (classified now, or carried over) and the register's.

    ``keys_repeated``: the gate's count of records whose source key others share (None: unknown).
    ``source_hashes``: the records' row hashes are the source database's (``sources/postgres.py``).
    """
    folder = start_state(run)
    previous = None if baseline is None else Path(baseline.folder)
    layers = keep_records(duck, folder, previous)
    _keep_register(duck, register, folder / REGISTER_FILE)
    _write_manifest(run, folder, layers, kept_base_parts(previous, layers), baseline, keys_repeated, source_hashes)
    return folder


def kept_base_parts(previous: Path | None, layers: int) -> int:
    """The files of the base a run's state keeps (:func:`keep_records` returned ``layers``): the
    base it linked from ``previous``, or its own new base in one file."""
    return 1 if previous is None or layers == 0 else _base_parts(_manifest(previous))


def start_state(run: DatasetRun) -> Path:
    """The run's state folder, new and empty (a split run's plan makes it for the buckets)."""
    folder = state_folder(run)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def write_state_part(
    run: DatasetRun, duck: "duckdb.DuckDBPyConnection", register: "RegisterSource", bucket: int
) -> None:
    """A bucket of a split full run keeps its records' share of the state's base, and says which
    register it classified against (``register.version``: :func:`reference.snapshot.register_version`).
    Bucket 0 also keeps the register. :func:`finish_split_state` writes the manifest once every
    bucket has written its share; a retried bucket writes its share again."""
    folder = state_folder(run)
    folder.mkdir(parents=True, exist_ok=True)
    keep_records(duck, folder, None, part=bucket)
    if bucket == 0:
        (folder / REGISTER_FILE).unlink(missing_ok=True)
        _keep_register(duck, register, folder / REGISTER_FILE)
    (folder / REGISTER_VERSION_FILE.format(part=bucket)).write_text(register.version, encoding="utf-8")


def finish_split_state(run: DatasetRun, plan: "PlanResult") -> bool:
    """After every bucket of a split full run: make the buckets' shares one state (the manifest).

    The state is kept only when every bucket wrote its share and all classified against the same
    register (a refresh between two buckets' tasks would leave the state's register true of some
    records only); otherwise the folder is removed, the run publishes as it is, and the dataset's
    next run is full. Returns whether the state was kept (False, too, for a run that keeps none).
    """
    if not plan.split or run.dataset.incremental is None:
        return False
    buckets = plan.buckets
    keys_repeated = None if plan.profile is None else plan.profile.keys_repeated
    folder = state_folder(run)
    version_files = [folder / REGISTER_VERSION_FILE.format(part=part) for part in range(buckets)]
    kept = (folder / REGISTER_FILE, *state_files(folder, 0, buckets), *version_files)
    complete = all(path.is_file() for path in kept)
    versions = {path.read_text(encoding="utf-8") for path in version_files if path.is_file()}
    if not complete or len(versions) != 1:
        why = "a bucket's share is missing" if not complete else "the buckets read different registers"
        _log.warning("%s: no incremental state kept (%s); the next run is full", run.label, why)
        remove_state(str(folder))
        return False
    for path in version_files:
        path.unlink()
    _write_manifest(run, folder, 0, buckets, None, keys_repeated, plan.source_hashes)
    return True


def _write_manifest(
    run: DatasetRun,
    folder: Path,
    layers: int,
    parts: int,
    baseline: Baseline | None,
    keys_repeated: int | None,
    source_hashes: bool,
) -> None:
    manifest = {
        "format": str(STATE_FORMAT),
        "layers": str(layers),
        "base_parts": str(parts),
        "run_id": run.run_id,
        "mode": "incremental" if baseline is not None else "full",
        "baseline_run_id": "" if baseline is None else baseline.run_id,
        "last_full_date": (run.logical_date if baseline is None else baseline.last_full_date).isoformat(),
        "fingerprint": fingerprint(run),
        "keys_repeated": "unknown" if keys_repeated is None else str(keys_repeated),
        "row_hashes": "source" if source_hashes else "normalised",
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")


def _keep_register(duck: "duckdb.DuckDBPyConnection", register: "RegisterSource", target: Path) -> None:
    """The register the run classified against: a hard link to the run's pinned snapshot (a refresh
    replaces the snapshot's file, never rewrites it), else a copy."""
    from popsync.db.duck import sql_string

    if register.snapshot is not None:
        try:
            os.link(register.snapshot, target)
            return
        except OSError:
            pass
    duck.execute(f"COPY (SELECT * FROM {register.relation}) TO {sql_string(target)} (FORMAT parquet)")


def published_state(run: DatasetRun) -> tuple[str, str | None, str | None]:
    """For publish: the run's mode, its state folder (None without state) and its baseline's run id."""
    folder = state_folder(run)
    manifest = _manifest(folder)
    if manifest is None or manifest.get("run_id") != run.run_id:
        return "full", None, None
    mode = manifest.get("mode", "full")
    return mode, str(folder), manifest.get("baseline_run_id") or None


def remove_state(folder: str | None) -> None:
    """Remove a state folder that no published run refers to any more."""
    if folder is None:
        return
    root = state_root().resolve()
    path = Path(folder).resolve()
    if root in path.parents:
        shutil.rmtree(path, ignore_errors=True)
