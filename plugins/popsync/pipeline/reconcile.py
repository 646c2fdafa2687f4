"""Reconcile stage: extract, normalise, profile and classify one dataset (or one bucket of it).

The sector's records cross the network once into the worker (Arrow, binary COPY
underneath) and once out as results (binary COPY into two unpublished partition tables);
nothing is staged in between. The publish step swaps the tables in atomically.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb
from psycopg import sql

from popsync.db.arrow_io import BATCH_ROWS, ArrowConnection, adbc_connection, with_json_columns
from popsync.db.connections import connect
from popsync.db.duck import duckdb_session, sql_string, store_arrow
from popsync.db.identifiers import quoted
from popsync.db.sql_files import read_sql
from popsync.pipeline.extract import extract_reader, hashes_at_source
from popsync.pipeline.incremental import (
    add_row_hashes,
    carry_over,
    combine_outcomes,
    finish_split_state,
    hashed_at_source,
    narrow_to_affected,
    write_state,
    write_state_part,
)
from popsync.pipeline.janitor import register_run_table, sweep_dataset
from popsync.pipeline.keyed_extract import extract_incremental
from popsync.pipeline.kill_points import kill_point
from popsync.pipeline.memory import peak_memory_mb
from popsync.pipeline.metrics import compute_metrics
from popsync.pipeline.normalise import normalise_stream, profile
from popsync.pipeline.plan import LEGACY_FILE, LINKS_FILE, bucket_files, plan, remove_run_folder, slot_range
from popsync.pipeline.register_source import open_register, planned_register
from popsync.pipeline.results import BucketResult, PlanResult, ReconcileResult
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.source_files import record_source_files
from popsync.pipeline.step_timer import StepTimer
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.quality.checks import Profile
from popsync.settings import WAREHOUSE_CONN_ID
from popsync.sources.files import ReadFile

_log = logging.getLogger(__name__)


def legacy_ids_query(persons: str) -> str:
    """The former CMNDs among the session's ``normalised`` IDs that exactly one person of the
    relation ``persons`` holds (``legacy_candidates.sql``, then ``legacy_ids.sql``)."""
    candidates = read_sql("duckdb/legacy_candidates.sql").replace("persons_source", persons)
    return f"WITH legacy_candidates AS ({candidates})\n{read_sql('duckdb/legacy_ids.sql')}"


def load_register(duck: duckdb.DuckDBPyConnection, source: str, slots: tuple[int, int] | None = None) -> None:
    """``register`` (the persons the session's records can link to) and ``register_all`` (what the
    suggestion search may read) from the whole register relation ``source`` (``RegisterSource.relation``).

    ``slots``: a bucket of a split run reads only the persons of its stretch of key slots
    (``plan.slot_range``; the snapshot is stored in their order, so the rest is skipped unread).
    """
    duck.execute(f"CREATE TABLE wanted_ids AS {read_sql('duckdb/wanted_ids.sql')}")
    # Keep only the register persons this dataset can link to (by ID or former CMND).
    persons = source
    if slots is not None:
        first, last = (int(slot) for slot in slots)  # integers of the plan, written as literals for pruning
        persons = f"(SELECT * FROM {source} WHERE key_slot BETWEEN {first} AND {last})"
    linkable = read_sql("duckdb/linkable_persons.sql").replace("persons_source", persons)
    duck.execute(f"CREATE TABLE register AS {linkable}")
    duck.execute(f"CREATE VIEW register_all AS SELECT * FROM {source}")  # for suggested IDs (with folded_key)


def _load_inputs(
    run: DatasetRun, duck: duckdb.DuckDBPyConnection, pg: ArrowConnection, load: Callable[[], None]
) -> None:
    """The register rows the normalised records can link to (``load``), and previous first_seen dates."""
    load()
    # A residence code of either table and an ID's (former) province code meet in the current province.
    store_arrow(duck, "province_successors", pg.read(read_sql("warehouse/province_successors.sql")))
    previous = pg.read(read_sql("warehouse/previous_mismatches.sql"), (run.sector.sector, run.dataset.name))
    store_arrow(duck, "previous_mismatches", previous)
    # End the read transaction: its lock on sync.mismatches would otherwise last through the
    # classification and queue other runs' DDL and publish (and what waits behind them).
    pg.commit()


def _create_result_tables(run: DatasetRun, bucket: int) -> None:
    """Empty tables shaped like the published ones, constrained to this dataset (and bucket).

    The run's constant columns (sector, dataset, run, logical date, bucket) are column defaults,
    so the rows sent over the wire carry only what varies.
    """
    constants = {
        "sector": sql.Literal(run.sector.sector),
        "dataset": sql.Literal(run.dataset.name),
        "run_id": sql.Literal(run.run_id),
        "logical_date": sql.Literal(run.logical_date),
        "bucket": sql.Literal(bucket),
    }
    tables = tuple(run.bucket_tables(bucket).items())
    ensure_warehouse_schema()
    with connect(WAREHOUSE_CONN_ID) as conn:
        for kind, bucket_table in tables:
            register_run_table(conn, run, kind, bucket_table)
        conn.commit()  # registered before the tables exist: a kill leaves nothing the janitor does not know
        for parent, (schema, table) in tables:
            target = quoted(schema, table)
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
            # no autovacuum while unpublished (written once; publish turns it back on): else it starts
            # on a table as soon as it is written, and the next DDL on it (publish's attach) waits
            # deadlock_timeout (1 s) for PostgreSQL to cancel it (docs/performance.md, round 12)
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                    "WITH (autovacuum_enabled = false)"
                ).format(target, quoted("sync", parent))
            )
            for column, value in constants.items():
                conn.execute(
                    sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}").format(
                        target, sql.Identifier(column), value
                    )
                )
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK (sector = {} AND dataset = {})").format(
                    target, sql.Identifier(f"{table[:50]}_scope"), constants["sector"], constants["dataset"]
                )
            )
            # lets a later incremental run attach the table as its carried partition without a scan
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK (run_id = {})").format(
                    target, sql.Identifier(f"{table[:50]}_run"), constants["run_id"]
                )
            )
            if run.buckets > 1:  # lets publish attach the table as its bucket's partition without a scan
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK (bucket = {})").format(
                        target, sql.Identifier(f"{table[:50]}_bucket"), constants["bucket"]
                    )
                )
        conn.commit()


def index_like_parent(table: tuple[str, str], parent: str) -> None:
    """Give a run's table the indexes of the partitioned parent it will be attached to."""
    with connect(WAREHOUSE_CONN_ID, autocommit=True) as conn:
        rows = conn.execute(read_sql("warehouse/parent_indexes.sql"), {"parent": parent}).fetchall()
        for (method_and_columns,) in rows:
            # the definition comes from the catalog (the parent's own index), the table from the run
            conn.execute(sql.SQL("CREATE INDEX ON {} {}").format(quoted(*table), sql.SQL(method_and_columns)))


def link_records(
    duck: duckdb.DuckDBPyConnection,
    *,
    checks_deceased: bool,
    logical_date: datetime,
    checks_death: bool = False,
    links_sql: str = "duckdb/dataset_links.sql",
) -> None:
    """Create ``reconciled`` from the session's ``normalised``, ``register``, ``legacy_ids`` and
    ``previous_mismatches`` (``legacy_ids`` is made from ``register`` unless the session has it).

    ``dataset_links`` (the persons the dataset links to) is made from ``reconciled`` unless the
    session has it already: a bucket of a split run reads the whole dataset's from the plan.

    ``checks_death``: the dataset is a death registration (maps ``death_date``). ``links_sql``:
    the statement making ``dataset_links`` (an incremental run adds the carried records' links).
    """
    params = {"checks_deceased": checks_deceased, "checks_death": checks_death, "logical_date": logical_date}
    # a bucket of a split run has the plan's legacy_ids (judged over the whole register); an unsplit
    # run's register holds every person whose former CMND is one of its records' IDs
    duck.execute(f"CREATE TABLE IF NOT EXISTS legacy_ids AS {legacy_ids_query('register')}")
    narrow = read_sql("duckdb/reconciled.sql").replace("__reconcile_sql__", read_sql("duckdb/reconcile.sql"))
    duck.execute(f"CREATE OR REPLACE TABLE reconciled AS {narrow}", params)
    links = read_sql(links_sql).replace("__dataset_links_sql__", read_sql("duckdb/dataset_links.sql"))
    duck.execute(f"CREATE TABLE IF NOT EXISTS dataset_links AS {links}")


def search_suggestions(duck: duckdb.DuckDBPyConnection) -> None:
    """Create ``suggestion_candidates`` (the candidate lists of records that do not link) from
    ``reconciled``, ``dataset_links`` and ``register_all``, and ``suggestions`` (one row per record
    with a candidate) from those."""
    duck.execute(f"CREATE OR REPLACE TABLE suggestion_candidates AS {read_sql('duckdb/suggestions.sql')}")
    duck.execute(f"CREATE OR REPLACE TABLE suggestions AS {read_sql('duckdb/suggestions_per_record.sql')}")


def reconcile(run: DatasetRun) -> ReconcileResult:
    """Plan the run and reconcile every bucket of it in this process (tests, the CLI's ``run``)."""
    planned = plan(run)
    split = run.with_buckets(planned.buckets)
    try:
        results = [reconcile_bucket(split, planned, bucket) for bucket in range(planned.buckets)]
    finally:
        remove_run_folder(split)
    combined = ReconcileResult.combine(planned, results)
    finish_split_state(split, planned)
    return combined


def _read_bucket(duck: duckdb.DuckDBPyConnection, planned: PlanResult, bucket: int) -> int:
    """Create the session's ``normalised`` table from the plan's files of one bucket."""
    assert planned.folder is not None
    files = "[" + ", ".join(sql_string(path) for path in bucket_files(Path(planned.folder), bucket)) + "]"
    duck.execute(f"CREATE TABLE normalised AS SELECT * FROM read_parquet({files}, hive_partitioning = false)")
    links = sql_string(Path(planned.folder) / LINKS_FILE)
    # read where the search looks its candidates up, not copied whole into every bucket
    duck.execute(f"CREATE VIEW dataset_links AS SELECT * FROM read_parquet({links})")
    legacy = sql_string(Path(planned.folder) / LEGACY_FILE)
    duck.execute(f"CREATE TABLE legacy_ids AS SELECT * FROM read_parquet({legacy})")
    row = duck.execute("SELECT count(*) FROM normalised").fetchone()
    return 0 if row is None else int(row[0])


def reconcile_bucket(run: DatasetRun, planned: PlanResult, bucket: int) -> BucketResult:
    """Classify one bucket's records, write its two result tables, return what was found.

    An unsplit run (one bucket) reads the source itself and profiles it for the gate; a bucket of
    a split run reads the records the plan step wrote for it.
    """
    run = run.with_buckets(planned.buckets)
    timings: list[tuple[str, float]] = []

    step = StepTimer(timings)

    step("setup", lambda: _create_result_tables(run, bucket))
    step("janitor", lambda: sweep_dataset(run))  # earlier killed attempts, other runs' leftovers
    gate_profile: Profile | None = None
    baseline = planned.baseline
    keeps_state = run.dataset.incremental is not None
    # a PostgreSQL source hashes its rows; an incremental run from a state of such hashes reads
    # keys and hashes, then only the rows it needs (pipeline/keyed_extract.py). A split run's plan
    # read the rows (and asked the source).
    if planned.split:
        source_hashes = planned.source_hashes
    else:
        source_hashes = keeps_state and hashes_at_source(run) and (baseline is None or hashed_at_source(baseline))
    with duckdb_session() as duck, adbc_connection(WAREHOUSE_CONN_ID) as pg:
        # one register version for every read of the run: a bucket of a split run reads the one its
        # plan pinned (the state keeps the buckets' shares only when all read one version)
        if planned.split and planned.register_version is not None and planned.folder is not None:
            register = planned_register(Path(planned.folder), planned.register_version)
        else:
            register = open_register(duck)
        source = register.relation
        if planned.split:
            extracted = step("read_bucket", lambda: _read_bucket(duck, planned, bucket))
        elif baseline is not None and source_hashes:
            keyed = extract_incremental(run, duck, baseline, source, step)
            extracted, gate_profile = keyed.extracted, keyed.profile
            _log.info(
                "%s: %d records to classify again, %d carried over; %d rows read of %d",
                run.label,
                keyed.classified,
                keyed.carried,
                keyed.reread,
                keyed.extracted,
            )
        else:
            read_files: list[ReadFile] = []
            hashed = run.dataset.incremental is not None  # an unsplit run of it keeps state: hash as it normalises
            with extract_reader(run, read_files, row_hash=source_hashes) as reader:
                extracted = step(
                    "extract_normalise",
                    lambda: normalise_stream(duck, reader, run.dataset, run.logical_date.date(), row_hashes=hashed),
                )
            record_source_files(run, read_files)
            gate_profile = step("profile", lambda: profile(duck))
        kill_point("normalise")
        if baseline is not None and not source_hashes:
            repeats = gate_profile is None or gate_profile.keys_repeated > 0
            classified, carried = step(
                "affected", lambda: narrow_to_affected(duck, baseline, source, timings, repeats_now=repeats)
            )
            _log.info("%s: %d records to classify again, %d carried over", run.label, classified, carried)
        elif keeps_state and baseline is None:
            step("row_hashes", lambda: add_row_hashes(duck))
        slots = slot_range(bucket, planned.buckets) if planned.split else None
        step("load_register", lambda: _load_inputs(run, duck, pg, lambda: load_register(duck, source, slots)))
        checks_deceased = run.dataset.columns.is_active is not None
        checks_death = run.dataset.columns.death_date is not None
        links = "duckdb/dataset_links.sql" if baseline is None else "duckdb/incremental/dataset_links.sql"
        step(
            "classify",
            lambda: link_records(
                duck,
                checks_deceased=checks_deceased,
                logical_date=run.logical_date,
                checks_death=checks_death,
                links_sql=links,
            ),
        )
        step("suggestions", lambda: search_suggestions(duck))
        # classification's inputs are no longer needed: their memory goes to the writes
        duck.execute("DROP VIEW IF EXISTS register_all")
        for table in ("normalised", "register", "previous_mismatches", "wanted_ids"):
            duck.execute(f"DROP TABLE IF EXISTS {table}")
        step("write_results", lambda: _write_results(run, bucket, duck, pg))
        if baseline is not None:
            step("carry_over", lambda: carry_over(run, baseline, duck))
        if keeps_state and planned.split:  # its share of the state's base (incremental.finish_split_state)
            step("keep_state", lambda: write_state_part(run, duck, register, bucket))
        elif keeps_state:
            repeated = None if gate_profile is None else gate_profile.keys_repeated
            step(
                "keep_state",
                lambda: write_state(run, duck, register, baseline, repeated, source_hashes=source_hashes),
            )
        if baseline is not None:
            combine_outcomes(duck)
        has_active = run.dataset.columns.is_active is not None
        metrics = step("metrics", lambda: compute_metrics(duck, has_active=has_active))
    peak = peak_memory_mb()
    _log.info(
        "reconciled %s bucket %d of %d: %d records, %d matched, %d mismatched; peak memory %s MB",
        run.label,
        bucket,
        run.buckets,
        metrics.total,
        metrics.matched,
        metrics.mismatched,
        "?" if peak is None else f"{peak:.0f}",
    )
    return BucketResult(bucket, extracted, metrics, gate_profile, tuple(timings), peak)


def _write_results(run: DatasetRun, bucket: int, duck: duckdb.DuckDBPyConnection, pg: ArrowConnection) -> None:
    """Write the bucket's result tables, matches over one connection and DuckDB cursor, mismatches and
    candidate lists over another.

    The two streams overlap: while the server stores the matches, another server process
    stores the mismatches and builds their indexes. Each table is committed when complete; the
    publish step checks conservation, and the janitor removes the tables of a run that died in
    between.
    """

    mismatches_table = run.bucket_table("mismatches", bucket)
    candidates_table = run.bucket_table("suggestion_candidates", bucket)

    def write_mismatches() -> None:
        with duck.cursor() as cursor, adbc_connection(WAREHOUSE_CONN_ID) as conn:
            # smaller batches: a mismatch row carries its JSON details (a few hundred bytes)
            mismatches = cursor.sql(read_sql("duckdb/mismatches_output.sql")).to_arrow_reader(BATCH_ROWS // 8)
            conn.ingest(*mismatches_table, with_json_columns(mismatches, ["details"]))
            conn.commit()
            # the candidate lists: a few rows per unlinked record, written after the mismatches
            candidates = cursor.sql(read_sql("duckdb/suggestion_candidates_output.sql")).to_arrow_reader(
                BATCH_ROWS // 8
            )
            conn.ingest(*candidates_table, with_json_columns(candidates, ["evidence"]))
            conn.commit()
        index_like_parent(mismatches_table, "sync.mismatches")
        index_like_parent(candidates_table, "sync.suggestion_candidates")

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="popsync-write") as pool:
        mismatches_written = pool.submit(write_mismatches)
        matches = duck.sql(read_sql("duckdb/matches_output.sql")).to_arrow_reader(BATCH_ROWS)
        pg.ingest(*run.bucket_table("matches", bucket), matches)
        kill_point("reconcile")
        mismatches_written.result()
    pg.commit()
