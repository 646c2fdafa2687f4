"""Publish: check conservation, then swap the run's partitions in atomically.

The run's matches, mismatches and candidate lists (``sync.suggestion_candidates``) are
swapped in together.

A run that fails before this step leaves the previously published results untouched;
this step itself is one transaction. A run split into buckets is assembled here, in the
same transaction: its run table becomes a partitioned table with every bucket's table as a
leaf, so every bucket is published or none is.
"""

import logging
from typing import Any

import psycopg
from psycopg import sql

from popsync.db.connections import connect
from popsync.db.identifiers import quoted
from popsync.db.locks import PUBLISH_LOCK, lock_transaction
from popsync.db.sql_files import read_sql
from popsync.pipeline.carried import assemble_incremental
from popsync.pipeline.errors import DataRejectedError
from popsync.pipeline.incremental import BaselineMovedError, published_state, remove_state
from popsync.pipeline.kill_points import kill_point
from popsync.pipeline.results import PublishOutcome
from popsync.pipeline.run import DatasetRun
from popsync.pipeline.state_folders import state_folder
from popsync.pipeline.step_timer import StepTimer
from popsync.review.lifecycle import RunTables, apply_run
from popsync.settings import WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)


class ConservationError(DataRejectedError):
    """Extracted records are not all accounted for as matched or mismatched."""


def _count(conn: psycopg.Connection[tuple[Any, ...]], table: tuple[str, str]) -> int:
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(quoted(*table))).fetchone()
    assert row is not None
    return int(str(row[0]))


def check_conservation(
    conn: psycopg.Connection[tuple[Any, ...]], run: DatasetRun, extracted: int
) -> tuple[int, int, int]:
    """Fail loudly unless extracted = matched + mismatched in the run's result tables; return the counts."""
    matched = _count(conn, run.matches_table)
    mismatched = _count(conn, run.mismatches_table)
    if extracted != matched + mismatched:
        raise ConservationError(
            f"{run.label}: extracted {extracted} records but {matched} matched + {mismatched} mismatched "
            f"= {matched + mismatched}; nothing was published"
        )
    return extracted, matched, mismatched


def assemble_buckets(conn: psycopg.Connection[tuple[Any, ...]], run: DatasetRun) -> None:
    """Make the run tables of a split run: partitioned tables, LIST on ``bucket``, one leaf per bucket.

    Runs inside the publish transaction: either the whole run is assembled and published, or
    nothing is. Each bucket's table carries a ``CHECK (bucket = n)``, so attaching scans nothing.
    """
    if run.buckets == 1:
        return
    for kind, table in run.result_tables().items():
        target = quoted(*table)
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (bucket)"
            ).format(target, quoted("sync", kind))
        )
        for bucket in range(run.buckets):
            conn.execute(
                sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                    target, quoted(*run.bucket_table(kind, bucket)), sql.Literal(bucket)
                )
            )


def _run_tables(run: DatasetRun, *, incremental: bool = False) -> RunTables:
    """The run's tables for the lifecycle; an incremental run's excluded keys too (its lifecycle
    changes only there: review/apply_run.sql)."""
    return RunTables(
        run.sector.sector,
        run.dataset.name,
        run.run_id,
        run.logical_date,
        run.matches_table,
        run.mismatches_table,
        run.excluded_keys_table if incremental else None,
    )


def _autovacuum_on(conn: psycopg.Connection[tuple[Any, ...]], run: DatasetRun, *, incremental: bool) -> None:
    """Turn autovacuum back on for the leaves the run wrote (off while unpublished: ``reconcile.py``)."""
    for kind in run.result_tables():
        if run.buckets > 1:
            leaves = [run.bucket_table(kind, bucket) for bucket in range(run.buckets)]
        else:
            leaves = [run.delta_table(kind) if incremental else run.result_tables()[kind]]
        for leaf in leaves:
            conn.execute(sql.SQL("ALTER TABLE {} RESET (autovacuum_enabled)").format(quoted(*leaf)))


def _swap(conn: psycopg.Connection[tuple[Any, ...]], run: DatasetRun, old_tables: dict[str, str | None]) -> None:
    """Attach the run's tables as the dataset's partitions, in place of the published ones (dropped)."""
    for kind, new_table in run.result_tables().items():
        sector_part = run.sector_partition(kind)
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES IN ({}) PARTITION BY LIST (dataset)"
            ).format(quoted(*sector_part), quoted("sync", kind), sql.Literal(run.sector.sector))
        )
        old_table = old_tables[kind]
        if old_table is not None:
            old = quoted("sync_partitions", old_table)
            conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(quoted(*sector_part), old))
            conn.execute(sql.SQL("DROP TABLE {}").format(old))
        conn.execute(
            sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                quoted(*sector_part), quoted(*new_table), sql.Literal(run.dataset.name)
            )
        )


def publish(run: DatasetRun, extracted: int) -> PublishOutcome:
    """Swap the run's result tables in as the dataset's published partitions.

    ``extracted`` is the number of records the reconcile stage read from the source.
    """
    scope = {"sector": run.sector.sector, "dataset": run.dataset.name}
    run_mode, state_ref, baseline_run_id = published_state(run)
    timings: list[tuple[str, float]] = []
    step = StepTimer(timings)
    with connect(WAREHOUSE_CONN_ID) as conn:
        step("lock", lambda: lock_transaction(conn, PUBLISH_LOCK))
        current = conn.execute(read_sql("warehouse/lock_published_run.sql"), scope).fetchone()
        if current is not None and (current[3], current[1], current[2]) == (
            run.run_id,
            run.matches_table[1],
            run.mismatches_table[1],
        ):  # a retry after a crash that followed the commit: already done
            conn.rollback()
            _log.info("%s run %s was already published", run.label, run.run_tag)
            return PublishOutcome(True, "already published")
        if run_mode == "incremental" and (current is None or current[3] != baseline_run_id):
            conn.rollback()  # its carried rows came from a run that is no longer the published one
            raise BaselineMovedError(f"{run.label}: the run it started from is no longer published; run it again")
        step("assemble_buckets", lambda: assemble_buckets(conn, run))  # every bucket or none
        old_tables: dict[str, str | None] = (
            {"matches": None, "mismatches": None, "suggestion_candidates": None}
            if current is None
            else {
                "matches": str(current[1]),
                "mismatches": str(current[2]),
                # runs published before the candidate lists existed have none
                "suggestion_candidates": None if current[4] is None else str(current[4]),
            }
        )
        if run_mode == "incremental":
            # the baseline's tables become the carried leaves of the run's (detached, not dropped)
            assert baseline_run_id is not None
            carried = {kind: name for kind, name in old_tables.items() if name is not None}
            step("carry", lambda: assemble_incremental(conn, run, baseline_run_id, carried))
            old_tables = dict.fromkeys(old_tables)
        step("conservation", lambda: check_conservation(conn, run, extracted))
        if current is not None and current[0] > run.logical_date:
            conn.rollback()
            _log.warning("%s: results of a newer logical date (%s) stay published", run.label, current[0])
            return PublishOutcome(False, f"newer results from {current[0].isoformat()} stay published")
        step("swap", lambda: _swap(conn, run, old_tables))
        step("autovacuum", lambda: _autovacuum_on(conn, run, incremental=run_mode == "incremental"))
        # the mismatch lifecycle moves in this transaction
        lifecycle = step("lifecycle", lambda: apply_run(conn, _run_tables(run, incremental=run_mode == "incremental")))
        if run_mode == "incremental":  # read by the carried deletes and the lifecycle; in this transaction
            conn.execute(sql.SQL("DROP TABLE {}").format(quoted(*run.excluded_keys_table)))
        conn.execute(
            read_sql("warehouse/record_published_run.sql"),
            {
                **scope,
                "run_id": run.run_id,
                "logical_date": run.logical_date,
                "matches_table": run.matches_table[1],
                "mismatches_table": run.mismatches_table[1],
                "candidates_table": run.candidates_table[1],
                "run_mode": run_mode,
                "state_ref": state_ref,
            },
        )
        kill_point("publish")
        step("commit", conn.commit)
    if current is not None and current[5] is not None and current[5] != state_ref:
        remove_state(str(current[5]))  # the state of the run replaced: no run starts from it any more
    kill_point("publish_committed")
    _log.info("published %s run %s", run.label, run.run_tag)
    return PublishOutcome(True, "published", lifecycle, tuple(timings))


def drop_run_tables(run: DatasetRun, *, keep_results: bool) -> None:
    """Remove the run's result tables when they were not published."""
    if keep_results:
        return
    remove_state(str(state_folder(run)))
    tables = [*run.result_tables().values(), run.excluded_keys_table]
    if run.buckets > 1:
        tables += [table for b in range(run.buckets) for table in run.bucket_tables(b).values()]
    with connect(WAREHOUSE_CONN_ID, autocommit=True) as conn:
        for table in tables:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(quoted(*table)))
