"""PostgreSQL side of the generator: create the databases, apply schemas, stream COPY data."""

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Final

import psycopg
from psycopg import sql

from popsync.db.identifiers import quoted
from popsync.db.sql_files import read_sql
from popsync.generate.formats import Column

_log = logging.getLogger(__name__)

UNREGISTERED_DEATHS_TABLE: Final = ("ground_truth", "unregistered_deaths")
UNREGISTERED_DEATHS_COLUMNS: Final = ("dataset", "national_id")
GROUND_TRUTH_TABLE: Final = ("ground_truth", "expected")
GROUND_TRUTH_COLUMNS: Final = (
    "dataset",
    "source_key",
    "expected_reasons",
    "expected_linked_national_id",
    "expected_suggested_national_id",
    "expected_suggestion_method",
    "true_national_id",
    "beyond_rules",
    "expected_active",
)


class DatabaseExistsError(FileExistsError):
    """A target database exists and ``replace`` was not requested."""


def database_url(server_url: str, database: str) -> str:
    """URL of ``database`` on the server of ``server_url`` (any path in it is replaced)."""
    base, _, query = server_url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{database}" + (f"?{query}" if query else "")


def _admin(server_url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(database_url(server_url, "postgres"), autocommit=True, application_name="popsync-generate")


def existing_databases(server_url: str, names: list[str]) -> list[str]:
    """Which of ``names`` exist on the server."""
    with _admin(server_url) as conn:
        rows = conn.execute(read_sql("db/existing_databases.sql"), {"names": names})
        return [str(row[0]) for row in rows]


def check_replaceable(server_url: str, names: list[str], replace: bool) -> list[str]:
    """Raise DatabaseExistsError if any database exists and ``replace`` is False; return the existing ones."""
    existing = existing_databases(server_url, names)
    if existing and not replace:
        raise DatabaseExistsError(
            f"database(s) {', '.join(existing)} already exist; pass replace=True (CLI: --replace) to drop and "
            "recreate them"
        )
    return existing


def drop_databases(server_url: str, names: list[str]) -> None:
    """Drop the databases (closing other sessions) if they exist."""
    with _admin(server_url) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(quoted(name)))


def create_databases(server_url: str, names: list[str]) -> None:
    """Create empty UTF-8 databases."""
    with _admin(server_url) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(quoted(name)))
            _log.info("created database %s", name)


def run_script(url: str, script: str) -> None:
    """Run a SQL script (several statements) in one transaction."""
    with psycopg.connect(url) as conn:
        conn.execute(script.encode())


def run_concurrently(tasks: list[Callable[[], object]]) -> None:
    """Run blocking database calls in threads (the server works on them in parallel)."""
    with ThreadPoolExecutor(max_workers=max(1, len(tasks))) as pool:
        for future in [pool.submit(task) for task in tasks]:
            future.result()


class CopyWriter(AbstractContextManager["CopyWriter"]):
    """A COPY ... FROM STDIN into one table on its own connection, fed chunk by chunk.

    Rows go through psycopg's ``write_row`` (measured faster than joining COPY text in
    Python: 0.38 vs 0.46 s of CPU and 0.8 vs 1.0 s wall for 500k rows of 8 columns).

    The table is truncated in the same transaction so the server can skip WAL and freeze
    the rows (COPY FREEZE), and its primary key is dropped for the load and added back
    (same name and definition) by ``close``, which builds the index once and commits.
    """

    def __init__(self, url: str, table: tuple[str, str], columns: tuple[str, ...]) -> None:
        self.table = table
        self._conn = psycopg.connect(url, application_name="popsync-generate")
        self._conn.execute("SET synchronous_commit = off")
        self._conn.execute(sql.SQL("TRUNCATE {}").format(quoted(*table)))
        self._primary_key = self._drop_primary_key()
        statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FREEZE)").format(
            quoted(*table), sql.SQL(", ").join(quoted(column) for column in columns)
        )
        self._cursor = self._conn.cursor()
        self._copy_context = self._cursor.copy(statement)
        self._copy = self._copy_context.__enter__()

    def _drop_primary_key(self) -> sql.Composed | None:
        row = self._conn.execute(read_sql("generate/primary_key.sql"), {"table": ".".join(self.table)}).fetchone()
        if row is None:
            return None
        name, definition = str(row[0]), str(row[1])
        target = quoted(*self.table)
        self._conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(target, sql.Identifier(name)))
        return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(target, sql.Identifier(name), sql.SQL(definition))

    def write(self, columns: Sequence[Column]) -> None:
        """Send rows given as columns (text values, None for NULL)."""
        write_row = self._copy.write_row
        for row in zip(*columns, strict=True):
            write_row(row)

    def close(self) -> None:
        """Finish the COPY, restore the primary key and commit."""
        self._copy_context.__exit__(None, None, None)
        if self._primary_key is not None:
            self._conn.execute(self._primary_key)
        self._conn.commit()
        self._conn.close()

    def abort(self) -> None:
        """Give up: closing the connection rolls the load back."""
        self._conn.close()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def register_schema() -> str:
    return read_sql("register/schema.sql")


def register_indexes() -> str:
    return read_sql("register/indexes.sql")


def sector_schema(sector: str) -> str:
    """The sector's source schema plus the generator's ground-truth table."""
    return read_sql(f"sources/{sector}/schema.sql") + "\n" + read_sql("generate/ground_truth_schema.sql")
