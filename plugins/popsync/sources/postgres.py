"""PostgreSQL sources: the dataset's query wrapped to yield the staging columns, read through ADBC.

One network crossing: the ADBC driver streams the query's result with binary COPY into
Arrow batches, which the worker consumes as they come (bounded memory).
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import pyarrow as pa
from psycopg import sql

from popsync.db.arrow_io import adbc_connection
from popsync.db.identifiers import quoted
from popsync.db.redact import describe_error
from popsync.db.sql_files import read_sql
from popsync.sources.source_errors import SourceError
from popsync.sources.staging import STAGING_COLUMNS, staging_roles


def postgres_query(
    body: str,
    mapping: Mapping[str, str | None],
    *,
    row_hash: bool = False,
    by_key: bool = False,
    key_type: str | None = None,
    few_keys: bool = False,
) -> str:
    """The query ``body`` wrapped so that it yields the staging columns with their types.

    ``row_hash``: add each record's ``row_hash`` (BIGINT), computed by the source database
    (:func:`row_hash_expression`), for a dataset that keeps incremental state: a later run then
    reads only keys and hashes to tell which records changed (``pipeline/keyed_extract.py``).
    ``by_key``: only the records whose key is in the JSON array ``$1`` and, when ``$2`` (text
    ``true``/``false``) says so, those without a key. ``key_type``: the key column's type
    (:func:`key_type_query`); the keys asked for are cast to it, so that the source's index on
    the key serves the read. Without it the key is compared as text, on every row. ``few_keys``
    (with ``key_type``): the keys are a small share of the source's rows, so they are looked up
    one by one in the key's index (``= ANY`` of an array: PostgreSQL's planner, which cannot count
    the keys of a JSON parameter, otherwise scans the whole table and hashes them).
    """
    body = body.strip().rstrip(";")
    selected = []
    for role, pg_type in STAGING_COLUMNS:
        column = mapping.get(role)
        source = sql.SQL("NULL") if column is None else sql.SQL("extracted.{}").format(quoted(column))
        selected.append(sql.SQL("{}::{} AS {}").format(source, sql.SQL(pg_type), sql.Identifier(role)))
    if row_hash:
        mapped = dict.fromkeys(column for _, column in staging_roles(mapping) if column is not None)
        columns = [sql.SQL("extracted.{}").format(quoted(column)) for column in mapped]
        selected.append(sql.SQL("{} AS row_hash").format(row_hash_expression(columns)))
    columns_sql = sql.SQL(", ").join(selected)
    extracted = sql.SQL("extracted AS NOT MATERIALIZED (\n{}\n)").format(sql.SQL(body))  # trusted include/sql file
    if not by_key:
        query = sql.SQL("WITH {extracted}\nSELECT {columns} FROM extracted").format(
            extracted=extracted, columns=columns_sql
        )
        return query.as_string(None)
    key_column = mapping.get("source_key")
    if key_column is None:
        raise ValueError("reading records by key needs a source_key column")
    key = sql.SQL("extracted.{}").format(quoted(key_column))
    if key_type is None:
        match = sql.SQL("{}::text IN (SELECT wanted_keys.key FROM wanted_keys)").format(key)
    else:
        if not KEY_TYPE.fullmatch(key_type):
            raise ValueError(f"not a type name: {key_type!r}")
        lookup = (
            "{} = ANY (ARRAY(SELECT wanted_keys.key::{} FROM wanted_keys))"
            if few_keys
            else "{} IN (SELECT wanted_keys.key::{} FROM wanted_keys)"
        )
        match = sql.SQL(lookup).format(key, sql.SQL(key_type))
    query = sql.SQL(
        "WITH {extracted},\n{wanted}\nSELECT {columns} FROM extracted WHERE {match}\n"
        "UNION ALL\nSELECT {columns} FROM extracted WHERE $2::boolean AND {key} IS NULL"
    ).format(
        extracted=extracted,
        wanted=sql.SQL(read_sql("sources/wanted_keys.sql")),
        columns=columns_sql,
        match=match,
        key=key,
    )
    return query.as_string(None)


def key_type_query(body: str, mapping: Mapping[str, str | None]) -> str:
    """The type of the dataset's key column, as a cast can name it (one row; none when the source
    is empty): ``character`` becomes ``bpchar``, which keeps a key's whole length."""
    key_column = mapping.get("source_key")
    if key_column is None:
        raise ValueError("the dataset has no source_key column")
    body = body.strip().rstrip(";")
    query = sql.SQL(read_sql("sources/key_type.sql")).format(
        body=sql.SQL(body), key=sql.SQL("extracted.{}").format(quoted(key_column))
    )
    return query.as_string(None)


KEY_TYPE = re.compile(r"[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*")
"""A built-in type's name as ``pg_typeof`` writes it (``character varying``, ``bigint``); a schema-
qualified or quoted name does not match, and its key is then compared as text."""


def row_hash_expression(columns: Sequence[sql.Composable]) -> sql.Composable:
    """A record's 64-bit hash over the source's own values of its mapped ``columns``.

    ``hash_record_extended`` hashes each value with its type's extended hash function, the one
    PostgreSQL's hash partitioning stores on disk (stable between servers and versions), with no
    conversion to text (a NULL counts as a fixed hash). Every mapped column's type needs such
    a function (``json`` has none: cast it in the dataset's query).
    """
    return sql.SQL("hash_record_extended(ROW({}), 0)").format(sql.SQL(", ").join(columns))


@contextmanager
def postgres_reader(
    conn_id: str, body: str, mapping: Mapping[str, str | None], *, row_hash: bool = False
) -> Iterator[pa.RecordBatchReader]:
    """The staging records of ``body`` on the PostgreSQL database of ``conn_id``, read once
    (``row_hash``: as in :func:`postgres_query`)."""
    with adbc_connection(conn_id) as source:
        try:
            reader = source.read(postgres_query(body, mapping, row_hash=row_hash))
        except Exception as exc:
            # the database's message may quote a record's values: keep a safe description only
            raise SourceError(describe_error(exc)) from None
        yield reader
