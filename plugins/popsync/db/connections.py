"""Resolve Airflow connection ids to PostgreSQL URLs.

An ``AIRFLOW_CONN_*`` URL is read here; everything else Airflow knows (metastore, secrets
backends, JSON connections) comes through a resolver the Airflow glue registers
(``popsync.airflow.hook_connections``), so that this module imports nothing from Airflow.

Credentials come only from Airflow connections (metastore, secrets backend or
``AIRFLOW_CONN_*`` environment variables). A connection that is not defined falls back
to the database of the same role on the configured server (``POPSYNC_DATABASE_URL`` or
the embedded one), which is what the local demo uses.
"""

import importlib.util
import json
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import psycopg

from popsync.settings import (
    REGISTER_CONN_ID,
    REGISTER_DATABASE,
    WAREHOUSE_CONN_ID,
    WAREHOUSE_DATABASE,
    get_settings,
    sector_of_source_conn,
    source_database,
)

_DEFAULT_DATABASES = {WAREHOUSE_CONN_ID: WAREHOUSE_DATABASE, REGISTER_CONN_ID: REGISTER_DATABASE}


def default_database(conn_id: str) -> str:
    """Database name a connection id maps to on the configured server."""
    if conn_id in _DEFAULT_DATABASES:
        return _DEFAULT_DATABASES[conn_id]
    sector = sector_of_source_conn(conn_id)
    if sector is not None:
        return source_database(sector)
    raise KeyError(f"no default database for connection {conn_id!r}: define the Airflow connection")


def connection_env_var(conn_id: str) -> str:
    return f"AIRFLOW_CONN_{conn_id.upper()}"


ConnectionResolver = Callable[[str], str | None]
_resolvers: list[ConnectionResolver] = []


def register_connection_resolver(resolver: ConnectionResolver) -> None:
    """Let an edge (the Airflow glue) resolve connection ids; the core itself knows no Airflow."""
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def _url_from_environment(conn_id: str) -> str | None:
    raw = os.environ.get(connection_env_var(conn_id))
    if raw is not None and not raw.lstrip().startswith("{"):
        return raw.replace("postgres://", "postgresql://", 1)
    return None


def libpq_url(
    *, login: str | None, password: str | None, host: str | None, port: int | None, schema: str | None, extra: Any
) -> str:
    """A libpq URL from the parts of a connection; string and number extras become parameters."""
    user = quote(login or "", safe="")
    secret = f":{quote(password, safe='')}" if password else ""
    auth = f"{user}{secret}@" if user else ""
    port_part = f":{port}" if port else ""
    extras = extra if isinstance(extra, dict) else json.loads(extra or "{}")
    params = {key: str(value) for key, value in extras.items() if isinstance(value, str | int)}
    query = f"?{urlencode(params)}" if params else ""
    return f"postgresql://{auth}{host or ''}{port_part}/{schema or ''}{query}"


def postgres_url(conn_id: str) -> str:
    """PostgreSQL URL (libpq form) for an Airflow connection id."""
    url = _url_from_environment(conn_id)
    if url is not None:
        return url
    for resolver in _resolvers:
        url = resolver(conn_id)
        if url is not None:
            return url
    return get_settings().database_url_for(default_database(conn_id))


def connect(conn_id: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[Any, ...]]:
    """Open a psycopg 3 connection for an Airflow connection id."""
    return psycopg.connect(postgres_url(conn_id), autocommit=autocommit, application_name="popsync")


def sqlalchemy_url(conn_id: str) -> str:
    """SQLAlchemy URL (psycopg 3 driver) for an Airflow connection id."""
    return postgres_url(conn_id).replace("postgresql://", "postgresql+psycopg://", 1)


# Airflow connection types -> SQLAlchemy dialect+driver, for sources that are not PostgreSQL.
SQLALCHEMY_SCHEMES = {
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "sqlite": "sqlite",
    "mssql": "mssql+pymssql",
    "oracle": "oracle+oracledb",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
}

SqlAlchemyResolver = Callable[[str], str | None]
_sqlalchemy_resolvers: list[SqlAlchemyResolver] = []


def register_sqlalchemy_resolver(resolver: SqlAlchemyResolver) -> None:
    """Let an edge (the Airflow glue) give the SQLAlchemy URL of a connection id."""
    if resolver not in _sqlalchemy_resolvers:
        _sqlalchemy_resolvers.append(resolver)


def sqlalchemy_scheme(conn_type: str) -> str:
    """The SQLAlchemy ``dialect+driver`` of an Airflow connection type (kept when it names a driver).

    MySQL/MariaDB use mysqlclient when it is installed (``popsync[mysql]``: twice pymysql's
    rate, it needs the MariaDB client library to build), else pymysql (pure Python).
    """
    if "+" in conn_type:
        return conn_type
    scheme = SQLALCHEMY_SCHEMES.get(conn_type.replace("-", "_").lower(), conn_type)
    if scheme == "mysql+pymysql" and importlib.util.find_spec("MySQLdb") is not None:
        return "mysql+mysqldb"
    return scheme


def source_sqlalchemy_url(conn_id: str) -> str:
    """SQLAlchemy URL of a non-PostgreSQL source connection (``AIRFLOW_CONN_*`` URI or the edge's resolver)."""
    raw = os.environ.get(connection_env_var(conn_id))
    if raw is not None and not raw.lstrip().startswith("{"):
        scheme, separator, rest = raw.partition("://")
        if not separator:
            raise KeyError(f"connection {conn_id!r}: {connection_env_var(conn_id)} is not a URI")
        return f"{sqlalchemy_scheme(scheme)}://{rest}"
    for resolver in _sqlalchemy_resolvers:
        url = resolver(conn_id)
        if url is not None:
            return url
    raise KeyError(f"connection {conn_id!r} is not defined: define the Airflow connection of the source database")
