"""Verdicts of sector teams on open mismatches: validated, kept as history, shown on the lifecycle row.

Every function works in the caller's transaction; every verdict is written to the audit trail.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import psycopg

from popsync.db.audit import AuditEvent, record_audit_event
from popsync.db.identifiers import is_identifier
from popsync.db.sql_files import read_sql

MAX_COMMENT_LENGTH = 2000


class VerdictKind(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    """The sector team has seen the mismatch."""
    FIXING_AT_SOURCE = "fixing_at_source"
    """The sector is correcting its record."""
    REGISTER_WRONG = "register_wrong"
    """The register is believed wrong: referred to the register authority."""
    NOT_FIXABLE = "not_fixable"
    """Cannot be fixed (a reason is required)."""


class VerdictError(ValueError):
    """A verdict was refused; the message says why."""


@dataclass(frozen=True)
class VerdictRecord:
    sector: str
    dataset: str
    source_key: str
    verdict: str
    actor: str
    comment: str | None
    recorded_at: datetime
    verdict_id: int | None = None


def _checked_scope(sector: str, dataset: str, source_key: str) -> None:
    for label, value in (("sector", sector), ("dataset", dataset)):
        if not is_identifier(value):
            raise VerdictError(f"{label} {value!r} is not a valid name")
    if not source_key or not source_key.strip():
        raise VerdictError("a verdict needs the record's source key")


def checked_verdict(verdict: str, comment: str | None) -> tuple[VerdictKind, str | None]:
    """The verdict kind and the cleaned comment, or VerdictError with a clear message."""
    try:
        kind = VerdictKind(verdict)
    except ValueError:
        choices = ", ".join(kind.value for kind in VerdictKind)
        raise VerdictError(f"unknown verdict {verdict!r}: choose one of {choices}") from None
    cleaned = comment.strip() if comment else None
    if kind is VerdictKind.NOT_FIXABLE and not cleaned:
        raise VerdictError("a not_fixable verdict needs a reason: give it as the comment")
    if cleaned and len(cleaned) > MAX_COMMENT_LENGTH:
        raise VerdictError(f"the comment is longer than {MAX_COMMENT_LENGTH} characters")
    return kind, cleaned or None


def record_verdict(
    conn: psycopg.Connection[Any],
    *,
    sector: str,
    dataset: str,
    source_key: str,
    verdict: str,
    actor: str,
    comment: str | None,
) -> VerdictRecord:
    """Validate and record a verdict on an open mismatch; it replaces the row's current verdict."""
    _checked_scope(sector, dataset, source_key)
    kind, cleaned = checked_verdict(verdict, comment)
    if not actor or not actor.strip():
        raise VerdictError("a verdict needs an actor (who gives it)")
    actor = actor.strip()
    key = {"sector": sector, "dataset": dataset, "source_key": source_key}
    row = conn.execute(read_sql("review/lock_lifecycle_row.sql"), key).fetchone()
    if row is None or row[0] != "open":
        state = "has no mismatch" if row is None else "is no longer mismatched (resolved)"
        raise VerdictError(f"no open mismatch: this record of {sector}.{dataset} {state}")
    _, reasons, first_seen, previous = row
    given = {**key, "verdict": kind.value, "actor": actor, "comment": cleaned}
    recorded = conn.execute(
        read_sql("review/insert_verdict.sql"), {**given, "reasons": reasons, "first_seen": first_seen}
    ).fetchone()
    assert recorded is not None
    verdict_id, recorded_at = int(recorded[0]), recorded[1]
    conn.execute(read_sql("review/set_lifecycle_verdict.sql"), {**given, "recorded_at": recorded_at})
    conn.execute(read_sql("review/withdraw_feedback.sql"), key)
    if kind is VerdictKind.REGISTER_WRONG:
        feedback = conn.execute(
            read_sql("review/insert_feedback.sql"),
            {
                "verdict_id": verdict_id,
                "sector": sector,
                "dataset": dataset,
                "source_key": source_key,
                "comment": cleaned,
                "actor": actor,
                "recorded_at": recorded_at,
            },
        ).fetchone()
        if feedback is None:
            raise VerdictError(f"the published results of {sector}.{dataset} no longer hold this mismatch")
    record_audit_event(
        conn,
        AuditEvent(
            actor=actor,
            action="verdict.set",
            sector=sector,
            dataset=dataset,
            detail={
                "source_key": source_key,
                "verdict": kind.value,
                "previous_verdict": previous,
                "verdict_id": verdict_id,
                "has_comment": cleaned is not None,
            },
        ),
    )
    return VerdictRecord(sector, dataset, source_key, kind.value, actor, cleaned, recorded_at, verdict_id)


def verdict_history(
    conn: psycopg.Connection[Any], *, sector: str, dataset: str, source_key: str
) -> list[VerdictRecord]:
    """Every verdict given on the record, oldest first."""
    _checked_scope(sector, dataset, source_key)
    key = {"sector": sector, "dataset": dataset, "source_key": source_key}
    rows = conn.execute(read_sql("review/verdict_history.sql"), key).fetchall()
    return [VerdictRecord(*row) for row in rows]
