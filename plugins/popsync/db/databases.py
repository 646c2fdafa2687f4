"""Create the databases popsync needs on the configured server."""

import logging

import psycopg
from psycopg import sql

from popsync.db.embedded import EmbeddedPostgres
from popsync.db.identifiers import checked_identifier
from popsync.db.sql_files import read_sql
from popsync.settings import Settings

_log = logging.getLogger(__name__)


def ensure_server(settings: Settings) -> str:
    """Start the embedded server when no external one is configured; return the server URL."""
    if settings.uses_embedded_server:
        return EmbeddedPostgres(settings.pgdata_dir, settings.embedded_port).ensure_running()
    return settings.server_url


def ensure_database(settings: Settings, name: str) -> bool:
    """Create database ``name`` if it does not exist; True when it was created."""
    checked_identifier(name)
    with psycopg.connect(settings.database_url_for("postgres"), autocommit=True) as conn:
        if conn.execute(read_sql("db/existing_databases.sql"), {"names": [name]}).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    _log.info("created database %s", name)
    return True


def recreate_database(settings: Settings, name: str) -> None:
    """Drop (disconnecting its sessions) and create database ``name``."""
    checked_identifier(name)
    with psycopg.connect(settings.database_url_for("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
