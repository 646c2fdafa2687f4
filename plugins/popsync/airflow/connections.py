"""Connection ids resolved through Airflow's PostgreSQL provider (``PostgresHook``).

popsync talks to PostgreSQL with psycopg 3 and ADBC, which both take a libpq URL. The
hook's own ``get_uri()`` is a SQLAlchemy URL that keeps only ``sqlalchemy_query`` extras
(it would drop ``sslmode`` and friends), and ``get_conn()`` is a psycopg2-style DB-API
connection; so the hook supplies the connection (metastore, secrets backend, environment,
IAM token refresh) and popsync builds the libpq URL from it.
"""

import os

from popsync.db.connections import connection_env_var, libpq_url, register_connection_resolver


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
    register_connection_resolver(postgres_hook_url)
