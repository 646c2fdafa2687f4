"""Connection ids resolved through Airflow's PostgreSQL provider (``PostgresHook``).

popsync talks to PostgreSQL with psycopg 3 and ADBC, which both take a libpq URL. The
hook's own ``get_uri()`` is a SQLAlchemy URL that keeps only ``sqlalchemy_query`` extras
(it would drop ``sslmode`` and friends), and ``get_conn()`` is a psycopg2-style DB-API
connection; so the hook supplies the connection (metastore, secrets backend, environment,
IAM token refresh) and popsync builds the libpq URL from it.
"""

import os

from popsync.db.connections import (
    connection_env_var,
    libpq_url,
    register_connection_resolver,
    register_sqlalchemy_resolver,
    sqlalchemy_scheme,
)


def postgres_hook_url(conn_id: str) -> str | None:
    """The libpq URL of an Airflow connection, or None when Airflow does not define it."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    hook = PostgresHook(postgres_conn_id=conn_id)
    try:
        conn = hook.connection
    except Exception:
        if os.environ.get(connection_env_var(conn_id)) is not None:
            raise
        return None
    if conn.extra_dejson.get("iam", False):
        conn.login, conn.password, conn.port = hook.get_iam_token(conn)
    return libpq_url(
        login=conn.login,
        password=conn.password,
        host=conn.host,
        port=conn.port,
        schema=conn.schema,
        extra={k: v for k, v in conn.extra_dejson.items() if k not in {"iam", "sqlalchemy_query"}},
    )


def use_airflow_connections() -> None:
    """Resolve popsync's connection ids through Airflow from now on in this process."""
    from popsync.airflow.object_storage import use_object_storage

    register_connection_resolver(postgres_hook_url)
    register_sqlalchemy_resolver(sqlalchemy_hook_url)
    use_object_storage()  # file sources given as URLs


def sqlalchemy_hook_url(conn_id: str) -> str | None:
    """The SQLAlchemy URL of an Airflow connection (any database), or None when Airflow does not define it.

    The connection type picks the dialect and driver (``mysql`` -> ``mysql+pymysql``); an extra
    ``sqlalchemy_scheme`` overrides it (``mssql+pyodbc``), other string extras become URL parameters.
    """
    from airflow.sdk import BaseHook
    from sqlalchemy.engine import URL

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:
        if os.environ.get(connection_env_var(conn_id)) is not None:
            raise
        return None
    extra = dict(conn.extra_dejson)
    scheme = str(extra.pop("sqlalchemy_scheme", "") or sqlalchemy_scheme(conn.conn_type or ""))
    query = {key: str(value) for key, value in extra.items() if isinstance(value, str | int)}
    url = URL.create(
        scheme,
        username=conn.login or None,
        password=conn.password or None,
        host=conn.host or None,
        port=conn.port or None,
        database=conn.schema or None,
        query=query,
    )
    return url.render_as_string(hide_password=False)
