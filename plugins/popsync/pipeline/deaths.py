"""Death registrations checked the other way round, after a run was published.

- Register deaths in the dataset's digitised scope (communes and period of death, from the
  dataset's ``coverage_sql``) with no registration linked to them: ``sync.unregistered_deaths``.
  They have no sector record, so they cannot be mismatches.
- Registered deaths of persons the register shows alive (DEATH_NOT_IN_REGISTER) go to
  ``sync.register_feedback`` without waiting for a verdict (origin ``death_registration``),
  once per mismatch, with an audit event.
"""

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from popsync.db.audit import AuditEvent, record_audit_event
from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.pipeline.run import DatasetRun
from popsync.settings import WAREHOUSE_CONN_ID

_log = logging.getLogger(__name__)
FEEDBACK_ACTOR = "death_registrations"


@dataclass(frozen=True)
class DeathChecks:
    unregistered: int
    """Register deaths in scope without a registration (rows of sync.unregistered_deaths)."""
    feedback: int
    """New register_feedback rows for registered deaths the register lacks."""


def coverage(run: DatasetRun) -> list[tuple[str, date, date]]:
    """The dataset's digitised scope: (commune, covered_from, covered_to) from the sector database."""
    if run.dataset.coverage_sql is None:
        return []
    with connect(run.sector.conn_id) as source:
        rows = source.execute(read_sql(run.dataset.coverage_sql)).fetchall()
    scope = []
    for commune, covered_from, covered_to in rows:
        if not isinstance(covered_from, date) or not isinstance(covered_to, date) or commune is None:
            raise ValueError(f"{run.label}: coverage rows need a commune and two dates")
        scope.append((str(commune).strip(), covered_from, covered_to))
    return scope


def _replace_unregistered(conn: psycopg.Connection[Any], run: DatasetRun, scope: list[tuple[str, date, date]]) -> int:
    conn.execute(read_sql("deaths/coverage.sql"))
    with conn.cursor() as cur, cur.copy("COPY death_coverage (commune, covered_from, covered_to) FROM STDIN") as copy:
        for row in scope:
            copy.write_row(row)
    conn.execute(read_sql("deaths/clear_unregistered.sql"), {"sector": run.sector.sector, "dataset": run.dataset.name})
    inserted = conn.execute(
        read_sql("deaths/unregistered.sql"),
        {
            "sector": run.sector.sector,
            "dataset": run.dataset.name,
            "run_id": run.run_id,
            "logical_date": run.logical_date,
        },
    )
    return max(inserted.rowcount, 0)


def _feed_register(conn: psycopg.Connection[Any], run: DatasetRun) -> int:
    rows = conn.execute(
        read_sql("deaths/alive_feedback.sql"),
        {"sector": run.sector.sector, "dataset": run.dataset.name, "actor": FEEDBACK_ACTOR},
    ).fetchall()
    if rows:
        record_audit_event(
            conn,
            AuditEvent(
                actor=FEEDBACK_ACTOR,
                action="register_feedback_automatic",
                sector=run.sector.sector,
                dataset=run.dataset.name,
                detail={"reason": "DEATH_NOT_IN_REGISTER", "rows": len(rows), "run_id": run.run_id},
            ),
        )
    return len(rows)


def check_deaths(run: DatasetRun) -> DeathChecks:
    """Both checks for the published run of a death-registration dataset, in one transaction."""
    scope = coverage(run)
    with connect(WAREHOUSE_CONN_ID) as conn:
        unregistered = _replace_unregistered(conn, run, scope)
        feedback = _feed_register(conn, run)
        conn.commit()
    _log.info("%s: %d unregistered deaths in scope, %d new register feedback rows", run.label, unregistered, feedback)
    return DeathChecks(unregistered, feedback)
