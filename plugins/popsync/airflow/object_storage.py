"""File sources in object storage (``s3://``, ``gs://``, ``file://`` ...) through Airflow's ``ObjectStoragePath``.

The core (:mod:`popsync.sources.locate`) reads local paths itself and asks this finder for
URLs: the connection id gives the credentials, as for every other source.
"""

import fnmatch
import glob
from collections.abc import Callable
from typing import Any, BinaryIO, cast

from popsync.sources.locate import SourceFile, register_file_finder


def _opener(path: Any) -> Callable[[], BinaryIO]:
    return lambda: cast(BinaryIO, path.open("rb"))


def object_storage_files(url: str, conn_id: str | None) -> list[SourceFile]:
    """The objects that match ``url`` (wildcards in the last part), in name order."""
    from airflow.sdk import ObjectStoragePath

    folder, _, pattern = url.rpartition("/")
    if not glob.has_magic(pattern):
        single = ObjectStoragePath(url, conn_id=conn_id)
        return [SourceFile(url, _opener(single))] if single.is_file() else []
    base = ObjectStoragePath(folder + "/", conn_id=conn_id)
    if not base.exists():
        return []
    found = sorted((child for child in base.iterdir() if fnmatch.fnmatchcase(child.name, pattern)), key=str)
    return [SourceFile(f"{folder}/{child.name}", _opener(child)) for child in found if child.is_file()]


def use_object_storage() -> None:
    """Read file sources given as URLs through Airflow's object storage from now on in this process."""
    register_file_finder(object_storage_files)
