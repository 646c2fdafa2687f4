"""The staging columns every source yields, and the conversion of Python values into them.

PostgreSQL sources cast in SQL (``::text``, ``::boolean``, ``::timestamptz``); other sources
produce the same Arrow types here, with PostgreSQL's text forms (dates ``YYYY-MM-DD``,
timestamps ``YYYY-MM-DD HH:MM:SS``) so that normalisation sees one shape whatever the source.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any

import pyarrow as pa

from popsync.sources.source_errors import SourceError

STAGING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_key", "text"),
    ("national_id", "text"),
    ("full_name", "text"),
    ("birth_date", "text"),
    ("gender", "text"),
    ("is_active", "boolean"),
    ("updated_at", "timestamptz"),
    ("death_date", "text"),
)
"""Role and PostgreSQL type of each staging column, in order."""

_ARROW_TYPES = {"text": pa.string(), "boolean": pa.bool_(), "timestamptz": pa.timestamp("us", tz="UTC")}
STAGING_SCHEMA = pa.schema([pa.field(role, _ARROW_TYPES[kind]) for role, kind in STAGING_COLUMNS])

_TRUE = frozenset({"t", "true", "y", "yes", "on", "1"})
_FALSE = frozenset({"f", "false", "n", "no", "off", "0"})


def staging_roles(mapping: Mapping[str, str | None]) -> list[tuple[str, str | None]]:
    """Each staging role with the source column that plays it (None: not provided)."""
    return [(role, mapping.get(role)) for role, _ in STAGING_COLUMNS]


def missing_columns(mapping: Mapping[str, str | None], available: Sequence[str]) -> list[str]:
    """Mapped source columns that the source does not have."""
    present = set(available)
    return [column for _, column in staging_roles(mapping) if column is not None and column not in present]


def text_value(value: Any) -> str | None:
    """A value as PostgreSQL's ``::text`` would write it."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError("a text column holds bytes that are not UTF-8: declare its character set") from None
    if isinstance(value, int | float | Decimal):
        return str(value)
    return str(value)


def boolean_value(value: Any) -> bool | None:
    """A value as PostgreSQL's ``::boolean`` reads it (numbers: non-zero is true)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        return value != 0
    if isinstance(value, bytes):  # BIT(1)
        return any(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        if word == "":
            return None
    raise SourceError(f"the is_active column holds a value that is not a boolean (a {type(value).__name__})")


def timestamp_value(value: Any, zone: tzinfo) -> datetime | None:
    """A timestamp in UTC; one without a time zone is read in ``zone``."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise SourceError("the updated_at column holds text that is not an ISO timestamp") from None
    if isinstance(value, datetime):
        stamp = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return stamp.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), zone).astimezone(UTC)
    raise SourceError(f"the updated_at column holds a value that is not a timestamp (a {type(value).__name__})")


def _text_array(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([text_value(value) for value in values], type=pa.string())


def staging_batch(
    columns: Mapping[str, Sequence[Any]], mapping: Mapping[str, str | None], rows: int, zone: tzinfo = UTC
) -> pa.RecordBatch:
    """One staging batch from the source's columns (name -> values) and the dataset's mapping."""
    arrays: list[pa.Array] = []
    for role, kind in STAGING_COLUMNS:
        column = mapping.get(role)
        values = None if column is None else columns[column]
        if values is None:
            arrays.append(pa.nulls(rows, _ARROW_TYPES[kind]))
        elif kind == "text":
            arrays.append(_text_array(values))
        elif kind == "boolean":
            arrays.append(pa.array([boolean_value(value) for value in values], type=pa.bool_()))
        else:
            arrays.append(pa.array([timestamp_value(value, zone) for value in values], type=_ARROW_TYPES[kind]))
    return pa.RecordBatch.from_arrays(arrays, schema=STAGING_SCHEMA)
