"""Per-sector access to the public contract (schema ``sync``), enforced by PostgreSQL.

Three kinds of group role (NOLOGIN; grant them to login roles):

* ``popsync_sector_<sector>`` — one per sector definition: reads only its own sector's rows of
  every ``sync`` table and view that has a ``sector`` column (row-level security on the
  partitioned parents; views are ``security_invoker`` so the policies apply through them). It
  writes nothing, and it cannot read the audit trail, the register mirror, staging or partitions.
* ``popsync_auditor`` — reads every row of every ``sync`` relation, the audit trail included.
* ``popsync_pipeline`` — reads and writes every ``sync`` table.

:func:`ensure_roles` discovers the relations (every table and view of ``sync``, so tables other
areas add are covered without edits here) and brings roles, grants, policies and view options in
step with the sector list, issuing DDL only for what is missing or stale (DDL takes strong locks).
:func:`scoped` switches the caller's open transaction to one sector's role (or the auditor's).
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors, sql
from psycopg.pq import TransactionStatus

from popsync.db.identifiers import checked_identifier, is_identifier
from popsync.db.sql_files import read_sql

_log = logging.getLogger(__name__)

SECTOR_ROLE_PREFIX = "popsync_sector_"
AUDITOR_ROLE = "popsync_auditor"
PIPELINE_ROLE = "popsync_pipeline"
SCHEMA = "sync"

# Relations of `sync` that only the auditor (and the pipeline) may read, even though they have a sector column.
AUDITOR_ONLY: frozenset[str] = frozenset({"audit_log"})

_TABLE_WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE")
_AUDITOR_POLICY = "popsync_auditor_reads_all"
_PIPELINE_POLICY = "popsync_pipeline_writes_all"


def sector_role(sector: str) -> str:
    """The group role of ``sector``: ``popsync_sector_<sector>`` (a validated identifier)."""
    if not is_identifier(sector):
        raise ValueError(f"{sector!r} is not a valid sector name: lower-case letters, digits and underscores")
    return checked_identifier(SECTOR_ROLE_PREFIX + sector)


@dataclass(frozen=True)
class SyncRelation:
    """One table or view of schema ``sync`` as the catalogue describes it."""

    name: str
    kind: str  # pg_class.relkind: r table, p partitioned table, v view, m materialised view
    row_security: bool
    has_sector: bool
    security_invoker: bool

    @property
    def is_table(self) -> bool:
        return self.kind in ("r", "p")

    @property
    def is_view(self) -> bool:
        return self.kind == "v"

    @property
    def sector_readable(self) -> bool:
        """Whether sector roles read this relation (their own rows only)."""
        return self.has_sector and self.name not in AUDITOR_ONLY and self.kind != "m"


@dataclass(frozen=True)
class AccessChanges:
    """What one :func:`ensure_roles` call changed (all zero when everything was in step)."""

    roles_created: int = 0
    grants: int = 0
    revokes: int = 0
    policies_created: int = 0
    policies_dropped: int = 0
    tables_secured: int = 0
    views_made_invoker: int = 0

    @property
    def total(self) -> int:
        return (
            self.roles_created
            + self.grants
            + self.revokes
            + self.policies_created
            + self.policies_dropped
            + self.tables_secured
            + self.views_made_invoker
        )


def sync_relations(conn: psycopg.Connection[Any]) -> list[SyncRelation]:
    """Every table and view of schema ``sync`` (partitioned parents, never partitions)."""
    rows = conn.execute(read_sql("access/sync_relations.sql")).fetchall()
    return [
        SyncRelation(str(name), str(kind), bool(rls), bool(sector), bool(inv)) for name, kind, rls, sector, inv in rows
    ]


def sector_relations(conn: psycopg.Connection[Any]) -> list[SyncRelation]:
    """The relations sector roles read (own rows only): every ``sync`` relation with a sector column."""
    return [relation for relation in sync_relations(conn) if relation.sector_readable]


def ensure_roles(conn: psycopg.Connection[Any], sectors: Sequence[str]) -> AccessChanges:
    """Create and keep in step the group roles, grants and row-level security of schema ``sync``.

    Idempotent; runs in the caller's transaction (serialise callers, e.g. with an advisory lock).
    Sector roles of sectors no longer defined lose their grants and policies (the roles stay, so
    memberships granted to teams are not lost silently). When the connected user may not create
    roles, logs a warning and changes nothing.
    """
    wanted = sorted({sector_role(sector) for sector in sectors})
    row = conn.execute(read_sql("access/can_manage.sql")).fetchone()
    if not (row and row[0]):
        _log.warning(
            "per-sector access not set up: the warehouse user may not create roles "
            "(run the set-up once as a user with CREATEROLE, or grant it CREATEROLE)"
        )
        return AccessChanges()
    roles_created = _ensure_group_roles(conn, [AUDITOR_ROLE, PIPELINE_ROLE, *wanted])
    relations = sync_relations(conn)
    grants, revokes = _ensure_grants(conn, relations, wanted)
    tables_secured, created, dropped = _ensure_policies(conn, relations, wanted)
    views = _ensure_invoker_views(conn, relations)
    changes = AccessChanges(roles_created, grants, revokes, created, dropped, tables_secured, views)
    if changes.total:
        _log.info("access control brought in step: %s", changes)
    return changes


def scoped(conn: psycopg.Connection[Any], sector: str | None) -> None:
    """Run the rest of the caller's open transaction as ``sector``'s role (the auditor's when None).

    ``SET LOCAL ROLE``: it lasts until the top-level transaction ends (leaving a savepoint does not end
    it). The connected user must be a member of the role (a superuser is). Refuses an autocommit
    connection outside a transaction, where SET LOCAL would have no effect.
    """
    if conn.autocommit and conn.info.transaction_status == TransactionStatus.IDLE:
        raise RuntimeError("scoped() needs an open transaction (SET LOCAL would not last): use conn.transaction()")
    role = AUDITOR_ROLE if sector is None else sector_role(sector)
    conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))


def _ensure_group_roles(conn: psycopg.Connection[Any], roles: Sequence[str]) -> int:
    existing = {str(name): bool(uses) for name, uses in conn.execute(read_sql("access/roles.sql")).fetchall()}
    created = 0
    for role in roles:
        if role not in existing:
            try:
                with conn.transaction():  # a savepoint: another database of the server may create it first
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                created += 1
            except errors.DuplicateObject:
                pass
        if not existing.get(role, False):
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA sync TO {}").format(sql.Identifier(role)))
    return created


def _desired_privileges(relation: SyncRelation, sector_roles: Iterable[str]) -> dict[str, set[str]]:
    desired: dict[str, set[str]] = {AUDITOR_ROLE: {"SELECT"}}
    desired[PIPELINE_ROLE] = set(_TABLE_WRITES) if relation.is_table else {"SELECT"}
    if relation.sector_readable:
        for role in sector_roles:
            desired[role] = {"SELECT"}
    return desired


def _ensure_grants(
    conn: psycopg.Connection[Any], relations: Sequence[SyncRelation], wanted: Sequence[str]
) -> tuple[int, int]:
    held: dict[tuple[str, str], set[str]] = {}
    for relname, rolname, privilege in conn.execute(read_sql("access/granted.sql")).fetchall():
        held.setdefault((str(relname), str(rolname)), set()).add(str(privilege))
    grants = revokes = 0
    for relation in relations:
        target = sql.Identifier(SCHEMA, relation.name)
        desired = _desired_privileges(relation, wanted)
        for role, privileges in desired.items():
            missing = privileges - held.get((relation.name, role), set())
            if missing:
                conn.execute(
                    sql.SQL("GRANT {} ON {} TO {}").format(
                        sql.SQL(", ").join(sql.SQL(p) for p in sorted(missing)), target, sql.Identifier(role)
                    )
                )
                grants += 1
        for (relname, role), privileges in held.items():
            if relname != relation.name or not role.startswith(SECTOR_ROLE_PREFIX):
                continue
            extra = privileges - desired.get(role, set())
            if extra:
                conn.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(target, sql.Identifier(role)))
                revokes += 1
    for (sequence,) in conn.execute(read_sql("access/sequences.sql"), {"pipeline_role": PIPELINE_ROLE}).fetchall():
        conn.execute(
            sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                sql.Identifier(SCHEMA, str(sequence)), sql.Identifier(PIPELINE_ROLE)
            )
        )
        grants += 1
    return grants, revokes


def _sector_policies(relation: SyncRelation, wanted: Sequence[str]) -> dict[str, sql.Composed]:
    """Policy name → CREATE POLICY statement, for one table."""
    table = sql.Identifier(SCHEMA, relation.name)
    policies: dict[str, sql.Composed] = {
        _AUDITOR_POLICY: sql.SQL("CREATE POLICY {} ON {} AS PERMISSIVE FOR SELECT TO {} USING (true)").format(
            sql.Identifier(_AUDITOR_POLICY), table, sql.Identifier(AUDITOR_ROLE)
        ),
        _PIPELINE_POLICY: sql.SQL(
            "CREATE POLICY {} ON {} AS PERMISSIVE FOR ALL TO {} USING (true) WITH CHECK (true)"
        ).format(sql.Identifier(_PIPELINE_POLICY), table, sql.Identifier(PIPELINE_ROLE)),
    }
    if relation.sector_readable:
        for role in wanted:
            sector = role.removeprefix(SECTOR_ROLE_PREFIX)
            # A constant predicate on the partition key: the planner prunes other sectors' partitions.
            policies[role] = sql.SQL(
                "CREATE POLICY {} ON {} AS PERMISSIVE FOR SELECT TO {} USING (sector = {})"
            ).format(sql.Identifier(role), table, sql.Identifier(role), sql.Literal(sector))
    return policies


def _ensure_policies(
    conn: psycopg.Connection[Any], relations: Sequence[SyncRelation], wanted: Sequence[str]
) -> tuple[int, int, int]:
    existing: dict[str, set[str]] = {}
    for table, policy in conn.execute(read_sql("access/policies.sql")).fetchall():
        existing.setdefault(str(table), set()).add(str(policy))
    secured = created = dropped = 0
    for relation in relations:
        if not relation.is_table:
            continue
        table = sql.Identifier(SCHEMA, relation.name)
        if not relation.row_security:
            conn.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table))
            secured += 1
        desired = _sector_policies(relation, wanted)
        present = existing.get(relation.name, set())
        for name, statement in desired.items():
            if name not in present:
                conn.execute(statement)
                created += 1
        for name in sorted(present - desired.keys()):
            conn.execute(sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(name), table))
            dropped += 1
    return secured, created, dropped


def _ensure_invoker_views(conn: psycopg.Connection[Any], relations: Sequence[SyncRelation]) -> int:
    """Views check the reader's rights and policies, not their owner's (``security_invoker``)."""
    changed = 0
    for relation in relations:
        if relation.is_view and not relation.security_invoker:
            view = sql.Identifier(SCHEMA, relation.name)
            conn.execute(sql.SQL("ALTER VIEW {} SET (security_invoker = true)").format(view))
            changed += 1
    return changed
