"""File sources given as URLs are found and read through Airflow's ObjectStoragePath (here file://)."""

from datetime import date
from pathlib import Path

from popsync.airflow.object_storage import object_storage_files
from popsync.sources.files import ReadFile, file_reader
from popsync.sources.locate import find_files, register_file_finder
from tests.sources.file_samples import COLUMNS, ROWS, file_source, write_csv


def test_object_storage_urls_with_a_dated_wildcard(tmp_path: Path) -> None:
    for name in ("cards_20261121_a.csv", "cards_20261121_b.csv", "cards_20261120.csv"):
        write_csv(tmp_path / name, "utf-16-excel")
    register_file_finder(object_storage_files)
    pattern = f"file://{tmp_path}/cards_{{ds_nodash}}_*.csv"
    files = find_files(pattern, date(2026, 11, 21))
    assert [file.name for file in files] == [f"file://{tmp_path}/cards_20261121_{x}.csv" for x in "ab"]
    read: list[ReadFile] = []
    with file_reader(files, file_source(pattern), COLUMNS, read) as reader:
        assert reader.read_all().num_rows == 2 * len(ROWS)
    assert [file.rows for file in read] == [len(ROWS), len(ROWS)]
    assert object_storage_files(f"file://{tmp_path}/missing.csv", None) == []
    single = object_storage_files(f"file://{tmp_path}/cards_20261120.csv", None)
    assert [file.name for file in single] == [f"file://{tmp_path}/cards_20261120.csv"]
