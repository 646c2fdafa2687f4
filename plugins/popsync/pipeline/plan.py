"""Plan: how many buckets a dataset run is split into, and the split itself.

A dataset run is split when its sector YAML sets ``buckets: N`` (N > 1) or, when it sets none,
when the extract holds more records than ``POPSYNC_ROWS_PER_BUCKET`` (then
``ceil(records / rows_per_bucket)`` buckets, at most ``MAX_BUCKETS``). Airflow maps the
reconcile stage over the buckets; one publish task swaps every bucket's tables in.

The bucket key keeps together whatever a rule compares across records (docs/performance.md,
"Partitioned dataset runs"; docs/running.md):

- ``DUPLICATE_ID`` groups records by the ID they resolve to. The key is that ID, resolved as
  ``reconcile.sql`` resolves it (a CCCD is itself, a CMND is the one register person whose
  former CMND it is), so a CMND record and a CCCD record of one person share a bucket.
- ``LEGACY_ID`` through a former CMND links when exactly one register person holds it: judged
  here over the whole register and handed to the buckets (below).
- Suggested IDs search the register (``register_all``), never other buckets' records.
- A bucket is a stretch of key slots (``macros.sql``: ``key_slot``, ``slot_bucket``), and the
  register snapshot is stored sorted by the key slot of each person's ID: a bucket reads the
  persons it can link to from its own stretch of the snapshot only (:func:`slot_range`). Whether a
  former CMND has exactly one holder is judged here, over the whole register, and handed to every
  bucket (``LEGACY_FILE``): the holders of one former CMND lie in any stretch.
- The suggestion search still reads the whole snapshot in every bucket (a record's name blocks lie
  anywhere), once, for the persons of its records' name blocks (an ID slip's person is one of
  them). Reading the register once here for every bucket's search was measured and withdrawn in
  round 8: at 10M it cost more than the scans it saved and ran out of a task's memory
  (docs/performance.md, "Partitioned dataset runs").
- The gate's profile (repeated source keys among them) is computed here, over every record.
- A dataset that keeps incremental state: the plan reads each row's hash with it (computed by a
  PostgreSQL source, else at normalisation), each bucket keeps its records' share of the state's
  base, and the step after the buckets makes the shares one state
  (``incremental.finish_split_state``). The next run starts from it like from an unsplit run's.
- Metrics are sums over buckets (``RunMetrics.combine``).

With one bucket nothing is split: the bucket extracts from the source itself, as an unsplit
run always did. With several, this step reads the source once, normalises and profiles every
record and writes one Parquet file set per bucket into the run's work folder (shared storage,
``POPSYNC_WORK_DIR``); each bucket task reads only its own files. The source is read once,
whatever the number of buckets.
"""

import logging
import math
import shutil
from pathlib import Path

from popsync.db.arrow_io import adbc_connection
from popsync.db.redact import describe_error
from popsync.db.sql_files import read_sql
from popsync.pipeline.extract import ExtractError, extract_query
from popsync.pipeline.kill_points import kill_point
from popsync.pipeline.memory import peak_memory_mb
from popsync.pipeline.results import PlanResult
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.step_timer import StepTimer
from popsync.sectors.model import MAX_BUCKETS, PostgresSource, SqlAlchemySource
from popsync.settings import get_settings

_log = logging.getLogger(__name__)

LINKS_FILE = "dataset_links.parquet"
"""The IDs the whole dataset's records resolve to, with how many records resolve to each
(``plan_links.sql``): for a register person, the records that link to it. The suggestions'
``linked_elsewhere`` reads it in every bucket."""
LEGACY_FILE = "legacy_ids.parquet"
"""The former CMNDs among the dataset's IDs held by exactly one register person (``legacy_ids.sql``,
over the whole register): what LEGACY_ID links by in every bucket."""
KEY_SLOTS = 65_536
"""Key slots (``macros.sql``: ``key_slot``): a bucket of a split run is a stretch of them."""
BUCKET_ROW_GROUP_ROWS = 16_384
"""Rows per row group of the buckets' files. The partitioned ``COPY`` holds a row group open per
bucket until it is full; at DuckDB's default (122,880) those buffers take memory from a task's
share while the records themselves spill. In a task's share (334 MiB, one thread) the split wrote
4M records in 4 buckets in 10.52 s instead of 12.28 s, and 10M in 9 buckets in 24.79 s instead of
26.24 s; a bucket read its files in 0.48 s instead of 0.44 s at 4M, the same at 10M
(benchmarks/results/split-write-round14.md)."""
EMPTY_BUCKET_FILE = "schema.parquet"
"""A file with the normalised columns and no rows: what a bucket reads when no record hashed to it."""


def buckets_for(records: int, rows_per_bucket: int) -> int:
    """Buckets for ``records`` at a target of ``rows_per_bucket`` (0 = never split)."""
    if rows_per_bucket <= 0 or records <= rows_per_bucket:
        return 1
    return min(MAX_BUCKETS, math.ceil(records / rows_per_bucket))


def slot_range(bucket: int, buckets: int) -> tuple[int, int]:
    """The first and last key slot of ``bucket`` in a run of ``buckets`` (``macros.sql``: ``slot_bucket``
    puts slot s in bucket ``s * buckets // KEY_SLOTS``; the stretches cover every slot once)."""
    if not 0 <= bucket < buckets:
        raise ValueError(f"bucket {bucket} is outside 0..{buckets - 1}")
    first = -(-bucket * KEY_SLOTS // buckets)  # ceil(bucket * KEY_SLOTS / buckets)
    after = -(-(bucket + 1) * KEY_SLOTS // buckets)
    return first, after - 1


def count_records(run: DatasetRun) -> int | None:
    """Records the dataset's extract yields, counted by the source database (no rows travel).

    None for a file source: counting would read the files; such a dataset is split only when its
    YAML sets ``buckets``.
    """
    source = run.dataset.source_definition
    if not isinstance(source, PostgresSource | SqlAlchemySource):
        return None
    conn_id = source.conn_id or run.sector.conn_id
    if isinstance(source, PostgresSource):
        query = read_sql("sources/count_extract.sql").replace("__extract_sql__", extract_query(run))
        with adbc_connection(conn_id) as connection:
            try:
                table = connection.read(query).read_all()
            except Exception as exc:
                raise ExtractError(f"counting the extract of {run.label} failed: {describe_error(exc)}") from None
        return int(table.column(0)[0].as_py())
    import sqlalchemy as sa

    from popsync.db.connections import source_sqlalchemy_url
    from popsync.sources.sqlalchemy_reader import engine_for

    body = read_sql(source.query).strip().rstrip(";")
    query = read_sql("sources/count_extract.sql").replace("__extract_sql__", body)
    try:
        url = source_sqlalchemy_url(conn_id)
    except KeyError as exc:  # an undefined connection: say so (the message names only the connection)
        raise ExtractError(f"counting the extract of {run.label} failed: {exc.args[0]}") from None
    try:
        with engine_for(url).connect() as connection:
            return int(connection.execute(sa.text(query)).scalar_one())
    except Exception as exc:
        raise ExtractError(f"counting the extract of {run.label} failed: {describe_error(exc)}") from None


def run_folder(run: DatasetRun) -> Path:
    """The run's folder in the shared work folder (the janitor removes a killed run's folder)."""
    return get_settings().work_dir / "runs" / run.work_folder_name


def bucket_files(folder: Path, bucket: int) -> list[Path]:
    """The Parquet files of one bucket, or the empty schema file when no record hashed to it."""
    files = sorted((folder / f"bucket={bucket}").glob("*.parquet"))
    if files:
        return files
    empty = folder / EMPTY_BUCKET_FILE
    if not empty.is_file():
        raise FileNotFoundError(f"the plan's files for bucket {bucket} are missing from the run's work folder")
    return [empty]


def remove_run_folder(run: DatasetRun) -> None:
    """Remove the files the plan step handed to the buckets (after publish, or when the run failed)."""
    shutil.rmtree(run_folder(run), ignore_errors=True)


def plan(run: DatasetRun) -> PlanResult:
    """Decide the run's buckets; when there are several, extract once and split the records."""
    timings: list[tuple[str, float]] = []

    step = StepTimer(timings)

    from popsync.pipeline.incremental import choose_baseline

    baseline = choose_baseline(run)
    if baseline is not None:  # the records to classify are few: one bucket (docs/running.md)
        _log.info("%s: incremental run from %s", run.label, baseline.run_id)
        kill_point("plan")
        return PlanResult(run.attempt, 1, None, None, None, tuple(timings), peak_memory_mb(), baseline)
    buckets = run.dataset.buckets
    if buckets is None:
        rows_per_bucket = get_settings().rows_per_bucket
        records = None if rows_per_bucket <= 0 else step("count", lambda: count_records(run))
        buckets = 1 if records is None else buckets_for(records, rows_per_bucket)
    if buckets == 1:
        _log.info("%s: one bucket", run.label)
        kill_point("plan")
        return PlanResult(run.attempt, 1, None, None, None, tuple(timings), peak_memory_mb())
    split = run.with_buckets(buckets)
    source_hashes = False
    if run.dataset.incremental is not None:  # the buckets keep the state's base: hashed rows
        from popsync.pipeline.extract import hashes_at_source
        from popsync.pipeline.incremental import start_state

        source_hashes = hashes_at_source(run)
        start_state(split)
    planned = _split(split, timings, source_hashes=source_hashes)
    kill_point("plan")
    return planned


def _split(run: DatasetRun, timings: list[tuple[str, float]], *, source_hashes: bool) -> PlanResult:
    # DuckDB and Arrow are imported by the process that splits, not by whoever reads a plan
    from popsync.db.duck import configured_threads, duckdb_session, sql_string
    from popsync.pipeline.extract import extract_reader
    from popsync.pipeline.normalise import normalise_stream, profile
    from popsync.pipeline.reconcile import legacy_ids_query
    from popsync.pipeline.register_source import open_register
    from popsync.pipeline.source_files import record_source_files
    from popsync.sources.files import ReadFile

    step = StepTimer(timings)

    folder = run_folder(run)
    shutil.rmtree(folder, ignore_errors=True)  # a retried plan starts afresh
    folder.mkdir(parents=True)
    with duckdb_session() as duck:
        read_files: list[ReadFile] = []
        hashed = run.dataset.incremental is not None
        with extract_reader(run, read_files, row_hash=source_hashes) as reader:
            extracted = step(
                "extract_normalise",
                lambda: normalise_stream(duck, reader, run.dataset, run.logical_date.date(), row_hashes=hashed),
            )
        record_source_files(run, read_files)
        gate_profile = step("profile", lambda: profile(duck))

        # the register every bucket reads: pinned in the run's folder, one version for the whole run
        register = step("register", lambda: open_register(duck, folder))

        def resolve_legacy_ids() -> None:
            duck.execute(f"CREATE TABLE legacy_ids AS {legacy_ids_query(register.relation)}")
            duck.execute(f"COPY legacy_ids TO {sql_string(folder / LEGACY_FILE)} (FORMAT parquet)")

        def write_records() -> None:
            # one partitioned COPY: one COPY per bucket was faster on a narrow 9M table but slower
            # in the 10M run, where each re-read the spilled records (split-copies-9m.md). With the
            # configured threads (two), not the one a task's share gives: in that share the write
            # took 7.91 s instead of 11.08 at 4M and 15.38 instead of 25.35 at 10M
            # (split-threads-round15.md); the plan runs before any bucket, so no task waits for the core
            keyed = read_sql("duckdb/bucket_keys.sql")
            with configured_threads(duck):
                duck.execute(
                    f"COPY ({keyed}) TO {sql_string(folder)} (FORMAT parquet, PARTITION_BY (bucket), "
                    f"OVERWRITE_OR_IGNORE, ROW_GROUP_SIZE {BUCKET_ROW_GROUP_ROWS})",
                    {"buckets": run.buckets},
                )
            duck.execute(
                f"COPY (SELECT * FROM normalised LIMIT 0) TO {sql_string(folder / EMPTY_BUCKET_FILE)} (FORMAT parquet)"
            )

        def write_links() -> None:
            links = read_sql("duckdb/plan_links.sql")
            duck.execute(f"COPY ({links}) TO {sql_string(folder / LINKS_FILE)} (FORMAT parquet)")

        def write_buckets() -> None:  # "split", and inside it what each part costs
            step("split.legacy_ids", resolve_legacy_ids)
            step("split.records", write_records)
            step("split.links", write_links)

        step("split", write_buckets)
    _log.info("%s: %d records split into %d buckets", run.label, extracted, run.buckets)
    return PlanResult(
        run.attempt,
        run.buckets,
        extracted,
        gate_profile,
        str(folder),
        tuple(timings),
        peak_memory_mb(),
        source_hashes=source_hashes,
        register_version=register.version,
    )
