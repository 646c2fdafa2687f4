"""Sources in any database SQLAlchemy reaches: streamed with a server-side cursor into Arrow.

The dataset's query is written in the source's own dialect (a file below ``include/sql``).
Rows come in batches of ``batch_rows`` (``stream_results`` / ``yield_per``: the driver keeps
one batch in memory, not the result), and each batch becomes one staging record batch.
"""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from popsync.db.redact import describe_error
from popsync.sources.arrow_staging import arrow_staging_batch
from popsync.sources.source_errors import SourceError
from popsync.sources.staging import STAGING_SCHEMA, missing_columns, staging_batch

_MYSQL_DIALECTS = frozenset({"mysql", "mariadb"})


def _mysqldb_text_dates() -> dict[Any, Any]:
    """mysqlclient's converters, but DATE/DATETIME/TIMESTAMP kept as text: Arrow parses them in bulk.

    (Its date converters are Python functions, half of the read time; the text is what
    PostgreSQL's ``::text`` gives, and timestamps are read in the source's zone either way.)
    """
    from MySQLdb.constants import FIELD_TYPE
    from MySQLdb.converters import conversions

    conv = dict(conversions)
    for field in (FIELD_TYPE.DATE, FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP):
        conv[field] = _ascii
    return conv


def _ascii(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("ascii")


def engine_for(url: str) -> sa.Engine:
    """An engine without a pool (one stream per task); MySQL/MariaDB talk utf8mb4."""
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() in _MYSQL_DIALECTS:
        if "charset" not in parsed.query:
            parsed = parsed.update_query_dict({"charset": "utf8mb4"})
        if parsed.get_driver_name() == "mysqldb":
            connect_args["conv"] = _mysqldb_text_dates()
    return sa.create_engine(parsed, poolclass=NullPool, connect_args=connect_args)


def _safe(exc: BaseException) -> str:
    original = getattr(exc, "orig", None)
    return describe_error(original if isinstance(original, BaseException) else exc)


@contextmanager
def database_reader(
    url: str,
    query: str,
    mapping: Mapping[str, str | None],
    *,
    batch_rows: int = 65_536,
    timezone: str = "UTC",
) -> Iterator[pa.RecordBatchReader]:
    """The staging records of ``query`` on the database at ``url``, as a stream read once."""
    engine = engine_for(url)
    try:
        try:
            connection = engine.connect()
        except Exception as exc:
            raise SourceError(f"cannot connect to the source database: {_safe(exc)}") from None
        with connection:
            streaming = connection.execution_options(stream_results=True, yield_per=batch_rows)
            try:
                result = streaming.execute(sa.text(query))
            except Exception as exc:
                raise SourceError(f"the source query failed: {_safe(exc)}") from None
            keys = list(result.keys())
            missing = missing_columns(mapping, keys)
            if missing:
                result.close()
                raise SourceError(
                    f"the source query returns no column {', '.join(missing)} (it returns {', '.join(keys)})"
                )
            batches = _batches(result, keys, mapping, batch_rows, timezone)
            yield pa.RecordBatchReader.from_batches(STAGING_SCHEMA, batches)
    finally:
        engine.dispose()


def _arrow_columns(columns: Mapping[str, Sequence[Any]]) -> dict[str, pa.Array] | None:
    """The columns as Arrow arrays (typed by their values, in C); None when a column mixes types."""
    try:
        return {key: pa.array(values) for key, values in columns.items()}
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None


def _batches(
    result: sa.CursorResult[Any],
    keys: list[str],
    mapping: Mapping[str, str | None],
    batch_rows: int,
    timezone: str,
) -> Iterator[pa.RecordBatch]:
    wanted = {column for column in mapping.values() if column is not None}
    positions = {key: index for index, key in enumerate(keys) if key in wanted}
    zone = ZoneInfo(timezone)
    done = 0
    try:
        for rows in result.partitions(batch_rows):
            transposed = list(zip(*rows, strict=True))
            columns = {key: transposed[index] for key, index in positions.items()}
            arrays = _arrow_columns(columns)
            first = done

            def locate(column: str, index: int, first: int = first) -> str:
                return f"result row {first + index + 1}, column {column}"

            if arrays is not None:
                yield arrow_staging_batch(arrays, mapping, len(rows), timezone, locate)
            else:  # values Arrow cannot type on its own (mixed types, bytes): one by one
                yield staging_batch(columns, mapping, len(rows), zone)
            done += len(rows)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"reading the source failed: {_safe(exc)}") from None
    finally:
        result.close()
