"""Staging batches from Arrow columns (files): vectorised, with the row of the first bad value.

Text roles keep the file's text (typed cells become PostgreSQL's text forms); ``is_active``
reads the words PostgreSQL's ``::boolean`` reads (and numbers: non-zero is true);
``updated_at`` reads ISO timestamps, in the source's zone when they carry none.
"""

from collections.abc import Callable, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from popsync.sources.source_errors import SourceError
from popsync.sources.staging import STAGING_COLUMNS, STAGING_SCHEMA

_TRUE = pa.array(["t", "true", "y", "yes", "on", "1"])
_FALSE = pa.array(["f", "false", "n", "no", "off", "0"])
_UTC = pa.timestamp("us", tz="UTC")

Locate = Callable[[str, int], str]
"""(source column, index in the batch) -> ``file:row:column`` of that cell."""


def _first_bad(valid: pa.Array) -> int:
    """Index of the first false in a boolean array (nulls count as valid)."""
    bad = pc.invert(pc.fill_null(valid, True))
    return int(pc.index(bad, True).as_py())


def _text(values: pa.Array) -> pa.Array:
    if pa.types.is_string(values.type):
        return values
    if pa.types.is_large_string(values.type) or pa.types.is_string_view(values.type):
        return values.cast(pa.string())
    if pa.types.is_timestamp(values.type):
        return pc.strftime(values, format="%Y-%m-%d %H:%M:%S").cast(pa.string())
    return values.cast(pa.string())


def _boolean(values: pa.Array, column: str, locate: Locate) -> pa.Array:
    if pa.types.is_boolean(values.type):
        return values
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type) or pa.types.is_decimal(values.type):
        return pc.not_equal(values, pa.scalar(0, values.type))
    words = pc.utf8_lower(pc.utf8_trim_whitespace(_text(values)))
    words = pc.if_else(pc.equal(words, ""), pa.scalar(None, pa.string()), words)
    truth, falsity = pc.is_in(words, value_set=_TRUE), pc.is_in(words, value_set=_FALSE)
    known = pc.or_(pc.or_(truth, falsity), pc.is_null(words))
    if not pc.all(known).as_py():
        where = locate(column, _first_bad(known))
        raise SourceError(f"{where}: the is_active column holds a value that is not a boolean (true/false, 1/0)")
    return pc.if_else(pc.is_null(words), pa.scalar(None, pa.bool_()), truth)


def _timestamp(values: pa.Array, column: str, timezone: str, locate: Locate) -> pa.Array:
    kind = values.type
    if pa.types.is_timestamp(kind):
        stamps = values if kind.tz is not None else pc.assume_timezone(values.cast(pa.timestamp("us")), timezone)
        return stamps.cast(_UTC)
    if pa.types.is_date(kind):
        return pc.assume_timezone(values.cast(pa.timestamp("us")), timezone).cast(_UTC)
    text = pc.utf8_trim_whitespace(_text(values))
    # empty, and MySQL's "zero" timestamps (no value), are nulls
    empty = pc.or_(pc.equal(text, ""), pc.starts_with(text, "0000-00-00"))
    text = pc.if_else(empty, pa.scalar(None, pa.string()), text)
    text = pc.replace_substring(text, "T", " ", max_replacements=1)
    try:
        naive = text.cast(pa.timestamp("us"))
    except pa.ArrowInvalid:
        parsed = [_iso_ok(value) for value in text.to_pylist()]
        where = locate(column, parsed.index(False) if False in parsed else 0)
        message = "the updated_at column holds text that is not a timestamp (YYYY-MM-DD hh:mm:ss)"
        raise SourceError(f"{where}: {message}") from None
    return pc.assume_timezone(naive, timezone).cast(_UTC)


def _iso_ok(value: str | None) -> bool:
    if value is None:
        return True
    try:
        pa.scalar(value).cast(pa.timestamp("us"))
        return True
    except pa.ArrowInvalid:
        return False


def arrow_staging_batch(
    columns: Mapping[str, pa.Array], mapping: Mapping[str, str | None], rows: int, timezone: str, locate: Locate
) -> pa.RecordBatch:
    """One staging batch from the file's columns (name -> Arrow array) and the dataset's mapping."""
    arrays: list[pa.Array] = []
    for (role, kind), field in zip(STAGING_COLUMNS, STAGING_SCHEMA, strict=True):
        column = mapping.get(role)
        if column is None:
            arrays.append(pa.nulls(rows, field.type))
            continue
        values = columns[column]
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if kind == "text":
            arrays.append(_text(values))
        elif kind == "boolean":
            arrays.append(_boolean(values, column, locate))
        else:
            arrays.append(_timestamp(values, column, timezone, locate))
    return pa.RecordBatch.from_arrays(arrays, schema=STAGING_SCHEMA)
