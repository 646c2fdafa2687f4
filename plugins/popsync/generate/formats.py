"""Text renderings: birth dates in the sectors' formats, dates and timestamps, COPY text."""

from collections.abc import Sequence
from typing import Final

import numpy as np

from popsync.sectors.model import DateFormat


def format_date(fmt: DateFormat, year: int, month: int, day: int) -> str:
    """Render a (possibly impossible) date in one of the sectors' formats."""
    if fmt == "dd/mm/yyyy":
        return f"{day:02d}/{month:02d}/{year:04d}"
    if fmt == "yyyy-mm-dd":
        return f"{year:04d}-{month:02d}-{day:02d}"
    if fmt == "yyyymmdd":
        return f"{year:04d}{month:02d}{day:02d}"
    if fmt == "yyyymm00":
        return f"{year:04d}{month:02d}00"
    if fmt == "yyyy0000":
        return f"{year:04d}0000"
    if fmt == "mm/yyyy":
        return f"{month:02d}/{year:04d}"
    return f"{year:04d}"


def format_dates(fmt: DateFormat, years: list[int], months: list[int], days: list[int]) -> list[str]:
    """Render many dates in one format (the vectorised form of :func:`format_date`)."""
    parts = zip(years, months, days, strict=True)
    if fmt == "dd/mm/yyyy":
        return [f"{d:02d}/{m:02d}/{y:04d}" for y, m, d in parts]
    if fmt == "yyyy-mm-dd":
        return [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in parts]
    if fmt == "yyyymmdd":
        return [f"{y:04d}{m:02d}{d:02d}" for y, m, d in parts]
    return [format_date(fmt, y, m, d) for y, m, d in parts]


def iso_dates(days: np.ndarray) -> list[str]:
    """``yyyy-mm-dd`` of epoch days."""
    return list(np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist())


def iso_timestamps(seconds: np.ndarray, utc: bool = False) -> list[str]:
    """ISO 8601 timestamps of epoch seconds (``Z`` suffix when ``utc``)."""
    stamps = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s", timezone="UTC" if utc else "naive")
    return list(stamps.tolist())


Column = Sequence[str | None]
"""One column of a table's rows: text values as PostgreSQL parses them, None for NULL."""


def bool_texts(values: np.ndarray) -> list[str]:
    """Booleans as PostgreSQL text (``t``/``f``)."""
    return np.where(values, "t", "f").tolist()  # type: ignore[no-any-return]


def array_literal(items: Sequence[str]) -> str:
    """A text[] literal of plain upper-case codes (``{}`` when empty)."""
    return "{" + ",".join(items) + "}"


_SPECIAL: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(columns: Sequence[Column]) -> str:
    """The rows in PostgreSQL COPY text format (for hashing and inspection)."""
    if not columns or not columns[0]:
        return ""
    rows = zip(*columns, strict=True)
    return "".join("\t".join("\\N" if v is None else v.translate(_SPECIAL) for v in row) + "\n" for row in rows)
