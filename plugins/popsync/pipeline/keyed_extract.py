"""Keyed extract: an incremental run of a PostgreSQL dataset reads keys and hashes, then only the rows it needs.

A PostgreSQL dataset that keeps incremental state has its row hashes computed by the source
database (``sources/postgres.py``: ``row_hash``), in its full runs too, and its state keeps them.
The next incremental run, in one ``REPEATABLE READ`` transaction of the source (every read sees
the same rows):

1. reads every record's key and hash only (``sources/row_hashes.sql``) into ``source_rows``;
2. joins them with the state once (``incremental/keyed_rows.sql``) and reads again the rows of
   new keys, of keys whose hash changed, of keys several records hold and of records without a
   key (``incremental/reread_keys.sql``; the extract query read by key)
   and normalises them into ``normalised``;
3. makes ``current_records``: those rows, and the baseline's state of every other key (same key,
   same hash: the same normalised values). The closure and the gate's profile read it;
4. after the closure, reads the rows of the unchanged records it classifies again (their
   register person changed, a suggestion candidate appeared, a peer of theirs changed).

So a day's run moves keys and hashes of every record and the rows of what changed, instead of
every row; the source database computes the hashes where the rows lie.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from popsync.db.arrow_io import ArrowConnection, adbc_connection
from popsync.db.duck import store_arrow
from popsync.db.sql_files import read_sql
from popsync.pipeline.baseline import Baseline
from popsync.pipeline.extract import ExtractError, extract_failed, extract_key_type_query, extract_query
from popsync.pipeline.incremental import count_rows, narrow_to_affected, read_state, repeats_before
from popsync.pipeline.normalise import normalise_stream, profile
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.step_timer import StepTimer
from popsync.quality.checks import Profile
from popsync.sectors.model import PostgresSource
from popsync.sources.postgres import KEY_TYPE

KEYS_PER_READ = 2_000_000
"""Keys sent in one read of rows by key (a JSON parameter of about 40 MB at most): every read scans
the source's table, so a day's changes of a national dataset (1 % of 93M) take one read."""


INDEX_READ_SHARE = 0.1
"""Rows read again by key, as a share of the source's rows, up to which they are looked up in the
key's index rather than by one scan of the table: at 4M cards the lookups took 0.30 s against
1.07 s for 1 % of the rows, 2.0 against 3.0 s for 10 %, 5.6 against 4.8 s for 20 %
(benchmarks/results/keyed-reads-4m-round13.md)."""


@dataclass(frozen=True)
class KeyedSource:
    """The dataset's source database in one read-only snapshot, and the run it serves."""

    run: DatasetRun
    connection: ArrowConnection
    key_type: str | None
    """The key column's type as the source's catalog names it (None: an empty source, or a type
    only text can stand for; the keys are then compared as text)."""

    def read_hashes(self, duck: duckdb.DuckDBPyConnection) -> int:
        """Create ``source_rows`` (every record's key and row hash); return its row count."""
        try:
            query = read_sql("sources/row_hashes.sql").replace(
                "__extract_sql__", extract_query(self.run, row_hash=True)
            )
            store_arrow(duck, "source_rows", self.connection.read(query))
        except Exception as exc:
            raise extract_failed(self.run, exc) from None
        return count_rows(duck, "source_rows")

    def read_rows(self, duck: duckdb.DuckDBPyConnection, keys: str, *, without_key: bool) -> int:
        """Append to ``normalised`` the normalised rows of the keys in the session's relation
        ``keys`` (column ``source_key``) and, with ``without_key``, of every record without a key;
        return how many rows came. ``normalised`` is created when the session has none (by the first
        read, even of no key: its columns are those of the source's normalised rows). The session
        holds ``source_rows`` (:meth:`read_hashes`): how many keys the source listed decides
        whether the keys are looked up in its index (``INDEX_READ_SHARE``)."""
        wanted_keys, listed = count_rows(duck, keys), count_rows(duck, "source_rows")
        # a small share is looked up in the key's index; more, and one scan of the table costs less
        few = wanted_keys <= INDEX_READ_SHARE * listed
        query = extract_query(self.run, row_hash=True, by_key=True, key_type=self.key_type, few_keys=few)
        # a read that scans the source's table scans it once: as few reads as a parameter's size allows
        parts = max(1, -(-wanted_keys // KEYS_PER_READ))
        received = 0
        for part in range(parts):
            rows = duck.execute(
                f"SELECT to_json(list(source_key)) FROM {keys} WHERE hash(source_key) % $parts = $part",
                {"parts": parts, "part": part},
            ).fetchall()  # every row fetched: the session is free for the read that follows
            wanted = "[]" if not rows or rows[0][0] is None else str(rows[0][0])
            nulls = "true" if without_key and part == 0 else "false"
            if part > 0 and wanted == "[]":
                continue
            try:
                reader = self.connection.read(query, (wanted, nulls))
                received += _append_normalised(duck, reader, self.run)
            except Exception as exc:
                raise extract_failed(self.run, exc) from None
        return received


def _append_normalised(duck: duckdb.DuckDBPyConnection, reader: pa.RecordBatchReader, run: DatasetRun) -> int:
    """Normalise one stream of staging rows into ``normalised`` (appended when it exists)."""
    exists = duck.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'normalised' AND NOT temporary"
    ).fetchall()
    if int(exists[0][0]) == 0:
        return normalise_stream(duck, reader, run.dataset, run.logical_date.date(), row_hashes=True)
    duck.execute("ALTER TABLE normalised RENAME TO normalised_before")
    try:
        added = normalise_stream(duck, reader, run.dataset, run.logical_date.date(), row_hashes=True)
        duck.execute("INSERT INTO normalised_before BY NAME SELECT * FROM normalised")
        duck.execute("DROP TABLE normalised")
    finally:
        duck.execute("ALTER TABLE IF EXISTS normalised_before RENAME TO normalised")
    return added


@contextmanager
def keyed_source(run: DatasetRun) -> Iterator[KeyedSource]:
    """The dataset's PostgreSQL source in one ``REPEATABLE READ`` snapshot, for every read of the run."""
    source = run.dataset.source_definition
    if not isinstance(source, PostgresSource):
        raise TypeError(f"{run.label} is not a PostgreSQL source")
    with adbc_connection(source.conn_id or run.sector.conn_id) as connection:
        try:
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            rows = connection.read(extract_key_type_query(run)).read_all().to_pylist()
        except Exception as exc:  # an unreachable source, a refused login
            raise extract_failed(run, exc) from None
        name = str(rows[0]["key_type"]) if rows else None
        yield KeyedSource(run, connection, name if name is not None and KEY_TYPE.fullmatch(name) else None)


def changed_rows(source: KeyedSource, duck: duckdb.DuckDBPyConnection, *, repeats_before: bool) -> int:
    """Steps 2 and 3: one join of the source's keys and hashes with the state (``keyed_rows``); read
    the rows whose key is new, changed or repeated (and those without a key); make ``key_changes``
    (for the closure) and ``current_records``; return the rows read. The session holds
    ``source_rows`` and ``previous_state``."""
    duck.execute(
        f"CREATE OR REPLACE TABLE keyed_rows AS {read_sql('duckdb/incremental/keyed_rows.sql')}",
        {"repeats_before": repeats_before},
    )
    duck.execute(f"CREATE OR REPLACE TABLE reread_keys AS {read_sql('duckdb/incremental/reread_keys.sql')}")
    without_key = count_rows(duck, "(SELECT 1 FROM source_rows WHERE source_key IS NULL)") > 0
    read = source.read_rows(duck, "reread_keys", without_key=without_key)
    duck.execute(f"CREATE OR REPLACE TABLE key_changes AS {read_sql('duckdb/incremental/keyed_changes.sql')}")
    duck.execute(f"CREATE OR REPLACE TABLE current_records AS {read_sql('duckdb/incremental/current_records.sql')}")
    duck.execute("DROP TABLE keyed_rows")
    current, listed = count_rows(duck, "current_records"), count_rows(duck, "source_rows")
    if current != listed:
        raise ExtractError(
            f"extract of {source.run.label}: {listed} records at the source, {current} accounted for; "
            "the source's rows changed while they were read"
        )
    return read


def affected_rows(source: KeyedSource, duck: duckdb.DuckDBPyConnection) -> int:
    """Step 4: read the rows of the records the closure classifies again that step 2 did not read
    (``affected_keys`` less ``normalised``); return how many came."""
    duck.execute(
        "CREATE OR REPLACE TABLE unread_keys AS SELECT affected_keys.source_key FROM affected_keys "
        "ANTI JOIN normalised ON normalised.source_key = affected_keys.source_key WHERE NOT affected_keys.removed"
    )
    wanted = count_rows(duck, "unread_keys")
    read = source.read_rows(duck, "unread_keys", without_key=False) if wanted else 0
    duck.execute("DROP TABLE unread_keys")
    if read != wanted:
        raise ExtractError(
            f"extract of {source.run.label}: {wanted} records to classify again, {read} read from the source"
        )
    return read


@dataclass(frozen=True)
class KeyedExtract:
    """What an incremental run that read by key found at its source."""

    extracted: int
    """Records at the source (each key and hash read once)."""
    reread: int
    """Rows read again: new, changed or repeated keys, records without a key, and the unchanged
    records the closure classifies again."""
    classified: int
    """Records classified again (``normalised`` after the closure)."""
    carried: int
    """Records carried over (``carried_state``)."""
    profile: Profile


def extract_incremental(
    run: DatasetRun, duck: duckdb.DuckDBPyConnection, baseline: Baseline, persons: str, step: StepTimer
) -> KeyedExtract:
    """Steps 1 to 4 in the session: leaves ``normalised`` (the records to classify again),
    ``carried_state`` and ``affected_keys``, as :func:`incremental.narrow_to_affected` does
    after a whole extract; ``persons`` is the current register relation."""
    with keyed_source(run) as source:
        extracted = step("extract_keys", lambda: source.read_hashes(duck))
        step("read_state", lambda: read_state(duck, Path(baseline.folder), "previous_state"))
        changed = step("extract_changed", lambda: changed_rows(source, duck, repeats_before=repeats_before(baseline)))
        gate_profile = step("profile", lambda: profile(duck, "duckdb/incremental/profile_rows.sql"))
        repeats = gate_profile.keys_repeated > 0
        _, carried = step(
            "affected",
            lambda: narrow_to_affected(
                duck, baseline, persons, step.timings, repeats_now=repeats, current="current_records"
            ),
        )
        unchanged = step("extract_affected", lambda: affected_rows(source, duck))
    for table in ("source_rows", "current_records", "reread_keys"):
        duck.execute(f"DROP TABLE IF EXISTS {table}")
    return KeyedExtract(extracted, changed + unchanged, count_rows(duck, "normalised"), carried, gate_profile)
