"""Which files a file source names for a run: placeholders from the logical date, wildcards.

Local paths are globbed here; URLs (``s3://``, ``gs://``, ``file://`` ...) go to a finder the
edge registers (Airflow's ``ObjectStoragePath``), so this module imports nothing from Airflow.
"""

import glob
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from popsync.settings import source_files_dir
from popsync.sources.source_errors import SourceError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class SourceFile:
    """One file to read: its name (as recorded with the run) and how to open it for reading bytes."""

    name: str
    open: Callable[[], BinaryIO]


FileFinder = Callable[[str, str | None], list[SourceFile]]
"""(URL pattern, connection id) -> the matching files, in name order."""
_finders: list[FileFinder] = []


def register_file_finder(finder: FileFinder) -> None:
    """Let an edge (the Airflow glue) find files in object storage."""
    if finder not in _finders:
        _finders.append(finder)


def dated_pattern(pattern: str, logical_date: date) -> str:
    """``pattern`` with the logical date's placeholders filled in (``{ds}``, ``{ds_nodash}``, ``{yyyy}`` ...)."""
    values = {
        "ds": logical_date.isoformat(),
        "ds_nodash": logical_date.strftime("%Y%m%d"),
        "yyyy": f"{logical_date.year:04d}",
        "mm": f"{logical_date.month:02d}",
        "dd": f"{logical_date.day:02d}",
    }
    return re.sub(r"{([a-z_]+)}", lambda match: values[match.group(1)], pattern)


def _opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: path.open("rb")


def find_files(pattern: str, logical_date: date, conn_id: str | None = None) -> list[SourceFile]:
    """The files of a run, in name order; none is an error naming the pattern."""
    wanted = dated_pattern(pattern, logical_date)
    if _URL.match(wanted):
        if not _finders:
            raise SourceError(f"{wanted}: object storage is read through Airflow (no finder is registered)")
        files = _finders[-1](wanted, conn_id)
    else:
        path = Path(wanted)
        if not path.is_absolute():
            path = source_files_dir() / path
        if glob.has_magic(str(path)):
            matches = sorted(Path(found) for found in glob.glob(str(path)))
        else:
            matches = [path] if path.exists() else []
        files = [SourceFile(str(found), _opener(found)) for found in matches if found.is_file()]
    if not files:
        raise SourceError(f"no file matches {wanted}")
    return files
