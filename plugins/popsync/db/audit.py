"""The audit trail (``sync.audit_log``): one append-only row per user action on the contract's data.

Details hold source keys, filters and counts, never an ID number or a name.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from popsync.db.sql_files import read_sql


@dataclass(frozen=True)
class AuditEvent:
    actor: str
    action: str
    sector: str | None = None
    dataset: str | None = None
    detail: Mapping[str, Any] | None = None


def record_audit_event(conn: psycopg.Connection[Any], event: AuditEvent) -> int:
    """Append ``event`` in the caller's transaction; return its event id."""
    if not event.actor or not event.action:
        raise ValueError("an audit event needs an actor and an action")
    row = conn.execute(
        read_sql("warehouse/insert_audit_event.sql"),
        {
            "actor": event.actor,
            "action": event.action,
            "sector": event.sector,
            "dataset": event.dataset,
            "detail": Jsonb(dict(event.detail or {})),
        },
    ).fetchone()
    assert row is not None
    return int(row[0])
