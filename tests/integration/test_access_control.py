"""Per-sector access enforced by PostgreSQL, on real published data from every DAG.

Each sector's role (by SET ROLE through ``scoped`` and by logging in as a team's login role) sees
all of its own rows and none of another sector's, through every contract table and view that has a
sector column; the auditor sees everything; sector roles write nothing and reach no partition.
"""

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from popsync.db.access import (
    AUDITOR_ROLE,
    PIPELINE_ROLE,
    AccessChanges,
    ensure_roles,
    scoped,
    sector_relations,
    sector_role,
    sync_relations,
)
from popsync.db.audit import AuditEvent, record_audit_event
from popsync.local.dag_runner import DagRunResult
from popsync.pipeline.warehouse import ensure_warehouse_schema
from popsync.sectors import load_sectors
from popsync.settings import WAREHOUSE_DATABASE, Settings

SECTORS = [sector.sector for sector in load_sectors()]
# Relations that must be covered whatever other areas add (the contract as documented).
CONTRACT = {
    "matches",
    "mismatches",
    "sector_sync_rate",
    "province_sync_rate",
    "quality_results",
    "published_runs",
    "latest_sync_rate",
    "sector_rollup",
}


def _counts(conn: psycopg.Connection[Any], relation: str) -> dict[str, int]:
    query = sql.SQL("SELECT sector, count(*) FROM {} GROUP BY sector").format(sql.Identifier("sync", relation))
    return {str(sector): int(count) for sector, count in conn.execute(query).fetchall()}


def _own(counts: dict[str, int], sector: str) -> dict[str, int]:
    """What ``sector``'s role must see of a relation holding ``counts`` rows per sector."""
    return {sector: counts[sector]} if counts.get(sector) else {}


@pytest.fixture(scope="module")
def warehouse(first_runs: dict[str, DagRunResult], settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    assert all(result.succeeded for result in first_runs.values())
    # autocommit: every `with conn.transaction()` below is a whole transaction, so SET LOCAL ends with it
    with psycopg.connect(settings.database_url_for(WAREHOUSE_DATABASE), autocommit=True) as conn:
        ensure_warehouse_schema(conn)
        with conn.transaction():
            for sector in SECTORS:
                record_audit_event(conn, AuditEvent("access-test", "test.event", sector, None, {"n": 1}))
        yield conn


@pytest.fixture(scope="module")
def truth(warehouse: psycopg.Connection[Any]) -> dict[str, dict[str, int]]:
    """Rows per sector of every sector relation, read by the warehouse owner (no policies apply)."""
    with warehouse.transaction():
        return {relation.name: _counts(warehouse, relation.name) for relation in sector_relations(warehouse)}


def test_every_contract_relation_is_covered_and_holds_several_sectors(truth: dict[str, dict[str, int]]) -> None:
    assert set(truth) >= CONTRACT
    for relation in CONTRACT:
        assert set(SECTORS) <= set(truth[relation]), (relation, truth[relation])  # real rows of every sector to hide


def test_sector_role_sees_all_its_rows_and_none_of_another_sector(
    warehouse: psycopg.Connection[Any], truth: dict[str, dict[str, int]]
) -> None:
    for sector in SECTORS:
        for relation in truth:
            with warehouse.transaction():
                scoped(warehouse, sector)
                seen = _counts(warehouse, relation)
                user = warehouse.execute("SELECT current_user").fetchone()
            assert user == (sector_role(sector),)
            assert seen == _own(truth[relation], sector), (sector, relation, seen)


def test_scope_ends_with_the_transaction(warehouse: psycopg.Connection[Any]) -> None:
    with pytest.raises(RuntimeError, match="open transaction"):
        scoped(warehouse, SECTORS[0])
    with warehouse.transaction():
        scoped(warehouse, SECTORS[0])
    with warehouse.transaction():
        assert warehouse.execute("SELECT current_user").fetchone() == ("postgres",)


def test_team_login_role_sees_only_its_sector(
    warehouse: psycopg.Connection[Any], truth: dict[str, dict[str, int]], settings: Settings
) -> None:
    sector = SECTORS[0]
    login = "popsync_test_team_login"
    with warehouse.transaction():
        warehouse.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))
        warehouse.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'team-secret'").format(sql.Identifier(login)))
        warehouse.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(sector_role(sector)), sql.Identifier(login)))
    try:
        url = settings.database_url_for(WAREHOUSE_DATABASE)
        with psycopg.connect(url, user=login, password="team-secret") as team:
            for relation in truth:
                assert _counts(team, relation) == _own(truth[relation], sector), relation
            with pytest.raises(errors.InsufficientPrivilege):
                team.execute("SELECT count(*) FROM sync.audit_log")
    finally:
        with warehouse.transaction():
            warehouse.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(login)))


def test_auditor_sees_every_row_and_the_audit_trail(
    warehouse: psycopg.Connection[Any], truth: dict[str, dict[str, int]]
) -> None:
    with warehouse.transaction():
        audit_rows = _counts(warehouse, "audit_log")
    for relation in [*truth, "audit_log"]:
        with warehouse.transaction():
            scoped(warehouse, None)
            seen = _counts(warehouse, relation)
        assert seen == (audit_rows if relation == "audit_log" else truth[relation]), relation
    assert set(audit_rows) >= set(SECTORS)


def test_sector_role_writes_nothing_and_reaches_no_partition_or_register(
    warehouse: psycopg.Connection[Any],
) -> None:
    sector = SECTORS[0]
    with warehouse.transaction():
        partition = warehouse.execute(
            "SELECT matches_table FROM sync.published_runs WHERE sector = %s LIMIT 1", (sector,)
        ).fetchone()
    assert partition is not None
    writes = ["INSERT INTO {} DEFAULT VALUES", "UPDATE {} SET sector = sector", "DELETE FROM {}", "TRUNCATE {}"]
    tables = [relation.name for relation in sync_relations(warehouse) if relation.is_table and relation.has_sector]
    statements = [sql.SQL(write).format(sql.Identifier("sync", table)) for table in tables for write in writes]
    statements += [
        sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("sync_partitions", str(partition[0]))),
        sql.SQL("SELECT count(*) FROM reference.persons"),
        sql.SQL("SELECT count(*) FROM sync.audit_log"),
    ]
    for statement in statements:
        with pytest.raises(errors.InsufficientPrivilege), warehouse.transaction():
            scoped(warehouse, sector)
            warehouse.execute(statement)


def test_pipeline_role_writes_every_table(warehouse: psycopg.Connection[Any]) -> None:
    tables = [relation.name for relation in sync_relations(warehouse) if relation.is_table and relation.has_sector]
    for table in tables:  # privileges are checked before any row is touched
        for write in ("UPDATE {} SET sector = sector WHERE false", "DELETE FROM {} WHERE false"):
            with warehouse.transaction(force_rollback=True):
                warehouse.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(PIPELINE_ROLE)))
                warehouse.execute(sql.SQL(write).format(sql.Identifier("sync", table)))
    with warehouse.transaction(force_rollback=True):
        warehouse.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(PIPELINE_ROLE)))
        deleted = warehouse.execute("DELETE FROM sync.sector_sync_rate").rowcount
        assert deleted > 0  # it sees and removes every sector's rows (rolled back)
    with warehouse.transaction(force_rollback=True):
        warehouse.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(PIPELINE_ROLE)))
        record_audit_event(warehouse, AuditEvent("pipeline", "test.pipeline", SECTORS[0]))


def test_ensure_roles_is_idempotent_and_follows_the_sector_list(warehouse: psycopg.Connection[Any]) -> None:
    with warehouse.transaction():
        assert ensure_roles(warehouse, SECTORS) == AccessChanges()
    extra = "zz_access_test"
    _drop_role(warehouse, sector_role(extra))  # roles belong to the server: a previous session may have left it
    try:
        with warehouse.transaction():
            added = ensure_roles(warehouse, [*SECTORS, extra])
        covered = sector_relations(warehouse)
        assert added.roles_created == 1
        assert added.policies_created == sum(relation.is_table for relation in covered)  # views: via their tables
        assert added.grants == len(covered)
        with warehouse.transaction():
            scoped(warehouse, extra)
            assert warehouse.execute("SELECT count(*) FROM sync.mismatches").fetchone() == (0,)
    finally:
        with warehouse.transaction():
            removed = ensure_roles(warehouse, SECTORS)
    assert removed.policies_dropped == added.policies_created
    assert removed.revokes == added.grants
    with pytest.raises(errors.InsufficientPrivilege), warehouse.transaction():
        scoped(warehouse, extra)
        warehouse.execute("SELECT count(*) FROM sync.mismatches")
    _drop_role(warehouse, sector_role(extra))


def _drop_role(conn: psycopg.Connection[Any], role: str) -> None:
    with conn.transaction():
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_views_check_the_readers_rights(warehouse: psycopg.Connection[Any]) -> None:
    views = [relation for relation in sync_relations(warehouse) if relation.is_view]
    assert views and all(view.security_invoker for view in views)


def test_the_auditor_reads_everything_and_writes_nothing(warehouse: psycopg.Connection[Any]) -> None:
    with warehouse.transaction():
        scoped(warehouse, None)
        assert warehouse.execute("SELECT current_user").fetchone() == (AUDITOR_ROLE,)
        assert warehouse.execute("SELECT count(*) FROM sync.sector_sync_rate").fetchone() != (0,)
    tables = [relation.name for relation in sync_relations(warehouse) if relation.is_table]
    for table in tables:
        with pytest.raises(errors.InsufficientPrivilege), warehouse.transaction():
            scoped(warehouse, None)
            warehouse.execute(sql.SQL("DELETE FROM {} WHERE false").format(sql.Identifier("sync", table)))
