"""The mismatch lifecycle (``sync.mismatch_lifecycle``), updated by each published run.

One set-based statement per run, in the transaction that publishes it: a failed run changes
nothing, a re-run of a logical date recomputes from the state before that date (same result),
and a run for an older logical date is refused. A run writes only the rows whose status or
reasons it changes; that it saw the others is one row in ``sync.lifecycle_runs``, and readers
get every row's ``last_seen`` from the view ``sync.mismatch_lifecycle_seen``.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from popsync.db.identifiers import quoted
from popsync.db.sql_files import read_sql

_log = logging.getLogger(__name__)


class LifecycleError(RuntimeError):
    """The lifecycle cannot take this run (e.g. an older logical date than one already applied)."""


@dataclass(frozen=True)
class LifecycleCounts:
    """What one run did to a dataset's lifecycle."""

    new: int
    resolved: int
    reopened: int
    open: int

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> "LifecycleCounts":
        return cls(**{key: int(values[key]) for key in ("new", "resolved", "reopened", "open")})


@dataclass(frozen=True)
class RunTables:
    """The run being published: its scope, logical date and result tables."""

    sector: str
    dataset: str
    run_id: str
    logical_date: datetime
    matches_table: tuple[str, str]
    mismatches_table: tuple[str, str]
    excluded_keys_table: tuple[str, str] | None = None
    """An incremental run's keys classified again or dropped (None: a full run): the lifecycle of
    every other key is carried over as the published run left it."""


def _params(run: RunTables) -> dict[str, Any]:
    return {
        "sector": run.sector,
        "dataset": run.dataset,
        "logical_date": run.logical_date,
        "run_id": run.run_id,
        "incremental": run.excluded_keys_table is not None,
    }


def run_counts(conn: psycopg.Connection[Any], *, sector: str, dataset: str, logical_date: datetime) -> LifecycleCounts:
    """Counts of the run applied at ``logical_date`` (and the dataset's open mismatches now)."""
    row = conn.execute(
        read_sql("review/run_counts.sql"), {"sector": sector, "dataset": dataset, "logical_date": logical_date}
    ).fetchone()
    assert row is not None
    return LifecycleCounts(*(int(value) for value in row))


def _refresh_statistics(conn: psycopg.Connection[Any], counts: LifecycleCounts) -> None:
    """ANALYZE the lifecycle table when this run changed a tenth of it or more.

    The next run's statement reads every open row of the dataset; planned with stale
    statistics (a table autovacuum has not analysed yet) it walks the primary key row by row
    instead of scanning: 4.0 s instead of about 2 s for 278k open mismatches.
    """
    row = conn.execute(read_sql("review/lifecycle_size.sql")).fetchone()
    estimated = -1.0 if row is None else float(row[0])
    changed = counts.new + counts.resolved + counts.reopened
    if estimated < 0 or changed > 0.1 * estimated:
        conn.execute(read_sql("review/analyze_lifecycle.sql"))


def apply_run(conn: psycopg.Connection[Any], run: RunTables) -> LifecycleCounts:
    """Move the dataset's lifecycle to ``run`` in the caller's transaction; return the run's counts."""
    latest = conn.execute(
        read_sql("review/latest_applied.sql"), {"sector": run.sector, "dataset": run.dataset}
    ).fetchone()
    if latest is not None and latest[0] is not None and latest[0] > run.logical_date:
        raise LifecycleError(
            f"{run.sector}.{run.dataset}: the lifecycle already holds the run of {latest[0].isoformat()}; "
            f"a run for the older logical date {run.logical_date.isoformat()} cannot rewind it"
        )
    excluded = (
        sql.SQL("(SELECT NULL::text AS source_key WHERE false)")
        if run.excluded_keys_table is None
        else quoted(*run.excluded_keys_table)
    )
    statement = sql.SQL(read_sql("review/apply_run.sql")).format(
        mismatches=quoted(*run.mismatches_table), matches=quoted(*run.matches_table), excluded=excluded
    )
    conn.execute(statement, _params(run))
    conn.execute(read_sql("review/record_run.sql"), _params(run))
    counts = run_counts(conn, sector=run.sector, dataset=run.dataset, logical_date=run.logical_date)
    _refresh_statistics(conn, counts)
    _log.info(
        "%s.%s lifecycle: %d new, %d resolved, %d reopened, %d open",
        run.sector,
        run.dataset,
        counts.new,
        counts.resolved,
        counts.reopened,
        counts.open,
    )
    return counts


@dataclass(frozen=True)
class LifecycleEntry:
    """One row of ``sync.mismatch_lifecycle`` as the CLI and pages show it."""

    sector: str
    dataset: str
    source_key: str
    status: str
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    resolution: str | None
    reopened_count: int
    current_reasons: list[str]
    previous_reasons: list[str] | None
    verdict: str | None
    verdict_by: str | None
    verdict_at: datetime | None
    verdict_comment: str | None
    verdict_closed_at: datetime | None
    verdict_flagged: bool


def lifecycle_entry(
    conn: psycopg.Connection[Any], *, sector: str, dataset: str, source_key: str
) -> LifecycleEntry | None:
    """The record's lifecycle row, or None if it was never mismatched."""
    key = {"sector": sector, "dataset": dataset, "source_key": source_key}
    row = conn.execute(read_sql("review/lifecycle_entry.sql"), key).fetchone()
    return None if row is None else LifecycleEntry(*row)
