"""File sources: CSV, XLSX and Parquet read once into staging batches, each file's SHA-256 recorded.

A file is read as a stream (CSV through Arrow's CSV reader; XLSX row by row with openpyxl's
read-only mode; Parquet by row groups), so memory stays bounded; the SHA-256 of its bytes is
computed as they pass. Whatever is wrong with a file (an encoding it does not have, a missing
column, a ragged row, a header not on its declared row) raises a :class:`SourceError` that
names ``file:row:column`` and never a cell's value; the run stops before anything is written.
"""

import codecs
import csv
import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.csv as pacsv

from popsync.sectors.model import FileSource
from popsync.sources.arrow_staging import arrow_staging_batch
from popsync.sources.encodings import NEEDS_NFC, detect_encoding
from popsync.sources.locate import SourceFile
from popsync.sources.source_errors import SourceError
from popsync.sources.staging import STAGING_SCHEMA, staging_batch

SAMPLE_BYTES = 1 << 20
"""Bytes looked at to tell the encoding and find the header."""
HEADER_SEARCH_ROWS = 30
_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class ReadFile:
    """A file a run read: recorded with the run (``sync.source_files``)."""

    name: str
    sha256: str
    size_bytes: int
    rows: int
    encoding: str | None = None


class HashingStream(io.RawIOBase):
    """A binary stream that hashes what passes, with a replayable look at its first bytes."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self._size = 0
        self._head = b""
        self._replay = 0

    def readable(self) -> bool:
        return True

    def peek_head(self, size: int) -> bytes:
        """The first ``size`` bytes (or fewer), read now and replayed to later readers."""
        while len(self._head) < size:
            chunk = self._raw.read(size - len(self._head))
            if not chunk:
                break
            self._take(chunk)
            self._head += chunk
        return self._head

    def _take(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self._size += len(chunk)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._replay < len(self._head):
            piece = self._head[self._replay : self._replay + len(view)]
            view[: len(piece)] = piece
            self._replay += len(piece)
            return len(piece)
        chunk = self._raw.read(len(view))
        if not chunk:
            return 0
        self._take(chunk)
        view[: len(chunk)] = chunk
        return len(chunk)

    def finish(self) -> tuple[str, int]:
        """Read what is left (for the checksum); the SHA-256 and the size of the whole file."""
        while chunk := self._raw.read(1 << 20):
            self._take(chunk)
        return self._hash.hexdigest(), self._size

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class Utf8Stream(io.RawIOBase):
    """Bytes of another encoding as UTF-8 (composed, NFC, where the encoding writes marks apart).

    Decoding runs in blocks through the codec (C for Windows-1258, UTF-16, TCVN3's charmap);
    with NFC a block ends at its last line break, so a letter and its marks stay together.
    """

    def __init__(self, raw: io.RawIOBase, encoding: str, compose: bool, block: int = 1 << 22) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._compose = compose
        self._block = block
        self._pending = ""
        self._out = b""
        self._at = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while self._at >= len(self._out) and not self._done:
            chunk = self._raw.read(self._block)
            final = not chunk
            text = self._pending + self._decoder.decode(chunk or b"", final=final)
            self._pending = ""
            if self._compose and not final:
                cut = text.rfind("\n") + 1
                text, self._pending = text[:cut], text[cut:]
            if self._compose:
                text = unicodedata.normalize("NFC", text)
            self._out, self._at, self._done = text.encode("utf-8"), 0, final

    def readinto(self, buffer: Any) -> int:
        self._fill()
        view = memoryview(buffer).cast("B")
        piece = self._out[self._at : self._at + len(view)]
        view[: len(piece)] = piece
        self._at += len(piece)
        return len(piece)


# --- header --------------------------------------------------------------


def _check_header(name: str, rows: Sequence[Sequence[Any]], header_row: int, wanted: Sequence[str]) -> dict[str, int]:
    """Positions (0-based) of the wanted columns in the header; raises naming row and column."""
    if len(rows) < header_row:
        raise SourceError(f"{name}:{header_row}:1: the file ends before its header row {header_row}")
    header = [_cell_name(cell) for cell in rows[header_row - 1]]
    positions: dict[str, int] = {}
    for index, column in enumerate(header):
        if column in positions and column in wanted:
            raise SourceError(f"{name}:{header_row}:{index + 1}: column {column} appears twice in the header")
        positions.setdefault(column, index)
    missing = [column for column in wanted if column not in positions]
    if not missing:
        return {column: positions[column] for column in wanted}
    for number, row in enumerate(rows, 1):
        if number != header_row and set(wanted) <= {_cell_name(cell) for cell in row}:
            raise SourceError(
                f"{name}:{number}:1: the header is on row {number}, not on row {header_row} as declared "
                "(`header_row`): the file's layout changed"
            )
    raise SourceError(
        f"{name}:{header_row}:{len(header) + 1}: missing column {', '.join(missing)} "
        f"(the header has: {', '.join(column for column in header if column)})"
    )


def _cell_name(cell: Any) -> str:
    return "" if cell is None else unicodedata.normalize("NFC", str(cell)).strip().lstrip("\ufeff")


def _wanted(mapping: Mapping[str, str | None]) -> list[str]:
    return list(dict.fromkeys(column for column in mapping.values() if column is not None))


# --- CSV -----------------------------------------------------------------


def _sample_text(sample: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)("replace").decode(sample, final=False)
    return unicodedata.normalize("NFC", text) if encoding in NEEDS_NFC else text


def _delimiter(source: FileSource, encoding: str, header_line: str) -> str:
    if source.delimiter is not None:
        return source.delimiter
    if encoding.startswith("utf-16") and "\t" in header_line:
        return "\t"
    return max(_DELIMITERS, key=header_line.count)


def _locate_decode_error(file: SourceFile, encoding: str, delimiter: str) -> str:
    """``file:row:column`` of the first byte the encoding cannot decode (read again, on failure only)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    row, line = 1, ""
    with file.open() as raw:
        while chunk := raw.read(1 << 16):
            for size in range(len(chunk)):  # byte by byte from here: exact place, failure path only
                try:
                    piece = decoder.decode(chunk[size : size + 1])
                except UnicodeDecodeError:
                    column = line.count(delimiter) + 1
                    return f"{file.name}:{row}:{column}"
                for char in piece:
                    if char == "\n":
                        row, line = row + 1, ""
                    else:
                        line += char
    return f"{file.name}:{row}:1"


def _not_text(file: SourceFile, encoding: str, delimiter: str) -> SourceError:
    where = _locate_decode_error(file, encoding, delimiter)
    return SourceError(f"{where}: bytes that are not {encoding} text (declare the file's `encoding`)")


def _csv_batches(
    file: SourceFile, source: FileSource, mapping: Mapping[str, str | None]
) -> Iterator[pa.RecordBatch | ReadFile]:
    stream = HashingStream(file.open())
    with stream:
        sample = stream.peek_head(SAMPLE_BYTES)
        if not sample:
            raise SourceError(f"{file.name}:1:1: the file is empty")
        encoding = source.encoding if source.encoding != "auto" else detect_encoding(sample)
        text = _sample_text(sample, encoding)
        lines = [line.rstrip("\r") for line in text.split("\n")[: source.header_row + HEADER_SEARCH_ROWS]]
        header_line = lines[source.header_row - 1] if len(lines) >= source.header_row else ""
        delimiter = _delimiter(source, encoding, header_line)
        wanted = _wanted(mapping)
        positions = _check_header(file.name, list(csv.reader(lines, delimiter=delimiter)), source.header_row, wanted)
        header = [_cell_name(cell) for cell in next(csv.reader([header_line], delimiter=delimiter))]
        # the names as checked (trimmed); other columns get names of their own (they may repeat)
        names = [name if positions.get(name) == index else f"_column_{index + 1}" for index, name in enumerate(header)]
        ragged: list[tuple[int | None, int, int]] = []

        def invalid_row(row: Any) -> str:
            ragged.append((row.number, row.expected_columns, row.actual_columns))
            return "error"

        utf8 = encoding in ("utf-8", "utf-8-sig")
        text_stream = stream if utf8 else Utf8Stream(stream, encoding, compose=encoding in NEEDS_NFC)
        try:
            reader = pacsv.open_csv(
                text_stream,
                read_options=pacsv.ReadOptions(
                    encoding="utf8",
                    skip_rows=source.header_row,
                    column_names=names,
                    block_size=1 << 22,
                    use_threads=False,
                ),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=invalid_row),
                convert_options=pacsv.ConvertOptions(
                    column_types={column: pa.string() for column in wanted},
                    include_columns=wanted,
                    strings_can_be_null=True,
                    null_values=[""],
                ),
            )
            done = source.header_row
            for batch in reader:
                columns = {column: batch.column(column) for column in wanted}
                first = done

                def locate(column: str, index: int, first: int = first) -> str:
                    return f"{file.name}:{first + index + 1}:{positions[column] + 1}"

                yield arrow_staging_batch(columns, mapping, batch.num_rows, source.timezone, locate)
                done += batch.num_rows
        except UnicodeDecodeError:
            raise _not_text(file, encoding, delimiter) from None
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            if ragged:
                number, expected, actual = ragged[0]
                row = "?" if number is None else str(number)
                column = min(expected, actual) + 1
                raise SourceError(
                    f"{file.name}:{row}:{column}: ragged row: {actual} fields where the header has {expected}"
                ) from None
            if "decode" in str(exc).lower() or "utf8" in str(exc).lower() or "utf-8" in str(exc).lower():
                where = _locate_decode_error(file, encoding, delimiter)
                raise SourceError(
                    f"{where}: bytes that are not {encoding} text (declare the file's `encoding`)"
                ) from None
            raise SourceError(f"{file.name}: not a readable CSV file (a quote left open?)") from None
        sha256, size = stream.finish()
    yield ReadFile(file.name, sha256, size, done - source.header_row, encoding)


# --- XLSX ----------------------------------------------------------------


def _xlsx_text(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == time():
        return value.date()  # a date cell: Excel stores dates as midnight
    return value


def _xlsx_batches(
    file: SourceFile, source: FileSource, mapping: Mapping[str, str | None]
) -> Iterator[pa.RecordBatch | ReadFile]:
    from openpyxl import load_workbook

    stream = HashingStream(file.open())
    with stream:
        data = io.BytesIO(stream.read())  # a workbook is a zip: its directory is at the end
    sha256, size = hashlib.sha256(data.getbuffer()).hexdigest(), data.getbuffer().nbytes
    try:
        book = load_workbook(data, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SourceError(f"{file.name}: not an XLSX workbook") from None
    try:
        if source.sheet is not None and source.sheet not in book.sheetnames:
            raise SourceError(f"{file.name}: no sheet {source.sheet!r} (sheets: {', '.join(book.sheetnames)})")
        sheet = book[source.sheet] if source.sheet is not None else book.worksheets[0]
        wanted = _wanted(mapping)
        rows = sheet.iter_rows(values_only=True)
        head: list[tuple[Any, ...]] = []
        for row in rows:
            head.append(row)
            if len(head) >= source.header_row + HEADER_SEARCH_ROWS:
                break
        positions = _check_header(file.name, head, source.header_row, wanted)
        header = head[source.header_row - 1]  # read-only rows are padded to the sheet's width
        width = max((index + 1 for index, cell in enumerate(header) if cell not in (None, "")), default=0)
        zone = ZoneInfo(source.timezone)
        number = source.header_row
        count = 0
        batch: list[tuple[Any, ...]] = []

        def body() -> Iterator[tuple[Any, ...]]:
            yield from head[source.header_row :]
            yield from rows

        for row in body():
            number += 1
            if all(cell is None or cell == "" for cell in row):
                continue
            for index in range(width, len(row)):
                if row[index] not in (None, ""):
                    raise SourceError(f"{file.name}:{number}:{index + 1}: ragged row: a value beyond the header's "
                                      f"{width} columns")  # fmt: skip
            batch.append(tuple(_xlsx_text(row[positions[c]]) if positions[c] < len(row) else None for c in wanted))
            if len(batch) >= source.batch_rows:
                yield _python_batch(batch, wanted, mapping, zone, file.name, number - len(batch))
                count += len(batch)
                batch = []
        if batch:
            yield _python_batch(batch, wanted, mapping, zone, file.name, number - len(batch))
            count += len(batch)
    finally:
        book.close()
    yield ReadFile(file.name, sha256, size, count)


def _python_batch(
    rows: list[tuple[Any, ...]], wanted: list[str], mapping: Mapping[str, str | None], zone: ZoneInfo, name: str,
    first: int,
) -> pa.RecordBatch:  # fmt: skip
    columns = dict(zip(wanted, zip(*rows, strict=True), strict=True))
    try:
        return staging_batch(columns, mapping, len(rows), zone)
    except SourceError as exc:
        raise SourceError(f"{name}:rows {first + 1}-{first + len(rows)}: {exc}") from None


# --- Parquet -------------------------------------------------------------


def _parquet_batches(
    file: SourceFile, source: FileSource, mapping: Mapping[str, str | None]
) -> Iterator[pa.RecordBatch | ReadFile]:
    import pyarrow.parquet as pq

    with file.open() as raw:
        digest, size = hashlib.sha256(), 0
        while chunk := raw.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
        raw.seek(0)
        try:
            parquet = pq.ParquetFile(raw)
        except (pa.ArrowInvalid, OSError):
            raise SourceError(f"{file.name}: not a Parquet file") from None
        names = parquet.schema_arrow.names
        wanted = _wanted(mapping)
        missing = [column for column in wanted if column not in names]
        if missing:
            raise SourceError(f"{file.name}:1:{len(names) + 1}: missing column {', '.join(missing)} "
                              f"(the file has: {', '.join(names)})")  # fmt: skip
        done = 0
        for batch in parquet.iter_batches(batch_size=source.batch_rows, columns=wanted):
            first = done

            def locate(column: str, index: int, first: int = first) -> str:
                return f"{file.name}:{first + index + 1}:{names.index(column) + 1}"

            columns = {column: batch.column(column) for column in wanted}
            yield arrow_staging_batch(columns, mapping, batch.num_rows, source.timezone, locate)
            done += batch.num_rows
    yield ReadFile(file.name, digest.hexdigest(), size, done)


_READERS: dict[str, Callable[[SourceFile, FileSource, Mapping[str, str | None]], Iterator[pa.RecordBatch | ReadFile]]]
_READERS = {"csv": _csv_batches, "xlsx": _xlsx_batches, "parquet": _parquet_batches}


@contextmanager
def file_reader(
    files: Sequence[SourceFile], source: FileSource, mapping: Mapping[str, str | None], read: list[ReadFile]
) -> Iterator[pa.RecordBatchReader]:
    """The staging records of ``files`` (in order) as one stream; each file is added to ``read`` when done."""
    chosen = _READERS[source.file_format]

    def batches() -> Iterator[pa.RecordBatch]:
        for file in files:
            for item in chosen(file, source, mapping):
                if isinstance(item, ReadFile):
                    read.append(item)
                else:
                    yield item

    yield pa.RecordBatchReader.from_batches(STAGING_SCHEMA, batches())
