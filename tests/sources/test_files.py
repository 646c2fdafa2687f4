"""File sources: every format and encoding read into staging batches; malformed files named file:row:column."""

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from popsync.sources.files import ReadFile, file_reader
from popsync.sources.locate import SourceFile, dated_pattern, find_files
from popsync.sources.source_errors import SourceError
from popsync.sources.staging import STAGING_SCHEMA
from tests.sources.file_samples import COLUMNS, HEADER, ROWS, UPDATED_UTC, csv_text, encoded, file_source, write_csv

ENCODINGS = ["utf-8", "utf-8-bom", "utf-16-excel", "cp1258", "tcvn3"]


def _read(path: Path, **options: object) -> tuple[pa.Table, list[ReadFile]]:
    source = file_source(str(path), **options)
    read: list[ReadFile] = []
    files = [SourceFile(str(path), lambda: path.open("rb"))]
    with file_reader(files, source, COLUMNS, read) as reader:
        table = reader.read_all()
    return table, read


def _names(table: pa.Table) -> list[str]:
    return [str(name) for name in table.column("full_name").to_pylist()]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_csv_in_each_encoding_is_detected_and_read(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "cards.csv", encoding)
    table, read = _read(path)
    assert table.schema == STAGING_SCHEMA and table.num_rows == len(ROWS)
    expected = [row[2] for row in ROWS]  # no capital with a tone mark: TCVN3 has no code for those
    assert _names(table) == expected  # NFC, whatever the encoding (Windows-1258 writes tone marks apart)
    rows = table.to_pylist()
    assert [row["is_active"] for row in rows] == [True, False, None, True]
    assert rows[0]["updated_at"] == UPDATED_UTC and rows[2]["updated_at"] is None
    assert rows[3]["updated_at"] == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert rows[2]["national_id"] is None and rows[0]["birth_date"] == "07/03/1990"
    assert read == [ReadFile(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size, 4,
                             read[0].encoding)]  # fmt: skip
    assert read[0].encoding in {"utf-8": ("utf-8",), "utf-8-bom": ("utf-8-sig",), "utf-16-excel": ("utf-16",),
                                "cp1258": ("cp1258",), "tcvn3": ("tcvn3",)}[encoding]  # fmt: skip


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_declared_encoding_is_used(tmp_path: Path, encoding: str) -> None:
    declared = {"utf-8-bom": "utf-8-sig", "utf-16-excel": "utf-16"}.get(encoding, encoding)
    table, read = _read(write_csv(tmp_path / "cards.csv", encoding), encoding=declared)
    assert _names(table)[1] == "Trần Văn Đức" and read[0].encoding == declared


def test_many_batches_and_a_semicolon_delimiter(tmp_path: Path) -> None:
    rows = [[f"K{n}", "", f"Tên {n}", "", "1", "1", ""] for n in range(5000)]
    path = tmp_path / "cards.csv"
    path.write_text(csv_text(rows, ";"), encoding="utf-8")
    source = file_source(str(path))
    read: list[ReadFile] = []
    with file_reader([SourceFile(path.name, lambda: path.open("rb"))], source, COLUMNS, read) as reader:
        total = sum(batch.num_rows for batch in reader)
    assert total == 5000 and read[0].rows == 5000


def test_bad_bytes_for_the_declared_encoding(tmp_path: Path) -> None:
    text = csv_text(ROWS).encode("utf-8").replace("Trần".encode(), b"Tr\xe0\xa0n")  # row 3, column 3
    path = tmp_path / "cards.csv"
    path.write_bytes(text)
    with pytest.raises(SourceError, match=r"cards.csv:3:3: bytes that are not utf-8 text"):
        _read(path, encoding="utf-8")


def test_bytes_tcvn3_does_not_define(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes(encoded(csv_text(ROWS), "tcvn3").replace(b"HN-004", b"HN-\x80\x81"))
    with pytest.raises(SourceError, match=r"cards.csv:5:1: bytes that are not tcvn3 text"):
        _read(path, encoding="tcvn3")


def test_an_encoding_that_cannot_be_told(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes(b"ma_the,ho_ten\n" + bytes(range(0x80, 0x100)) * 4)
    with pytest.raises(SourceError, match="cannot tell the file's encoding"):
        _read(path)


def test_a_missing_column(tmp_path: Path) -> None:
    header = [name if name != "gioi_tinh" else "gioi" for name in HEADER]
    path = tmp_path / "cards.csv"
    path.write_text(csv_text(ROWS, header=header), encoding="utf-8")
    with pytest.raises(SourceError, match=r"cards.csv:1:8: missing column gioi_tinh \(the header has: .*gioi,"):
        _read(path)


def test_a_ragged_row(tmp_path: Path) -> None:
    rows = [*ROWS[:2], ROWS[2][:5], ROWS[3]]
    path = tmp_path / "cards.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(SourceError, match=r"cards.csv:4:6: ragged row: 5 fields where the header has 7") as failed:
        _read(path)
    assert "Phạm" not in str(failed.value)


def test_a_ragged_row_below_a_title(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_text("Danh sách thẻ\n\n" + csv_text([*ROWS[:3], [*ROWS[3], "x"]]), encoding="utf-8")
    with pytest.raises(SourceError, match=r"cards.csv:7:8: ragged row: 8 fields where the header has 7"):
        _read(path, header_row=3)


def test_a_header_that_moved(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_text("Danh sách thẻ BHYT tháng 11\n\n" + csv_text(ROWS), encoding="utf-8")
    with pytest.raises(SourceError, match=r"cards.csv:3:1: the header is on row 3, not on row 1"):
        _read(path)
    table, _ = _read(path, header_row=3)  # declared where it now is: read
    assert table.num_rows == len(ROWS)


def test_a_value_that_is_not_a_boolean_is_located(tmp_path: Path) -> None:
    rows = [list(row) for row in ROWS]
    rows[1][5] = "có lẽ"
    path = tmp_path / "cards.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    with pytest.raises(SourceError, match=r"cards.csv:3:6: the is_active column holds a value that is not a boolean"):
        _read(path)


def test_an_unclosed_quote(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_text(csv_text(ROWS) + 'HN-9,"0010,x\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"cards.csv"):
        _read(path)


def _workbook(path: Path, header_row: int = 1, extra: object = None) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "Tóm tắt"
    sheet = book.create_sheet("Thẻ BHYT")
    for _ in range(header_row - 1):
        sheet.append(["Danh sách thẻ"])
    sheet.append(HEADER)
    sheet.append(["HN-001", "001090012345", "Nguyễn Thị Hồng Nhung", datetime(1990, 3, 7), 2, True,
                  datetime(2026, 11, 20, 8, 30)])  # fmt: skip
    sheet.append(["HN-002", 79185000123, "Trần Văn Đức", "31/12/1985", 1, 0, None, extra])
    book.save(path)
    return path


def test_xlsx_named_sheet_and_header_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "cards.xlsx", header_row=3)
    table, read = _read(path, sheet="Thẻ BHYT", header_row=3)
    rows = table.to_pylist()
    assert [row["full_name"] for row in rows] == ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức"]
    assert rows[0]["birth_date"] == "1990-03-07" and rows[1]["national_id"] == "79185000123"
    assert [row["is_active"] for row in rows] == [True, False] and rows[0]["updated_at"] == UPDATED_UTC
    assert read[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and read[0].rows == 2


def test_xlsx_mistakes(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "cards.xlsx", header_row=2)
    with pytest.raises(SourceError, match=r"no sheet 'Cards' \(sheets: Tóm tắt, Thẻ BHYT\)"):
        _read(path, sheet="Cards")
    with pytest.raises(SourceError, match=r"cards.xlsx:2:1: the header is on row 2, not on row 1"):
        _read(path, sheet="Thẻ BHYT")
    ragged = _workbook(tmp_path / "ragged.xlsx", extra="?")
    with pytest.raises(SourceError, match=r"ragged.xlsx:3:8: ragged row"):
        _read(ragged, sheet="Thẻ BHYT")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(SourceError, match=r"broken.xlsx: not an XLSX workbook"):
        _read(broken)


def test_parquet_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "cards.parquet"
    table = pa.table({
        "ma_the": ["HN-001", "HN-002"], "so_dinh_danh": ["001090012345", None],
        "ho_ten": ["Nguyễn Thị Hồng Nhung", "Trần Văn Đức"], "ngay_sinh": pa.array([date(1990, 3, 7), None]),
        "gioi_tinh": pa.array([2, 1], pa.int8()), "con_hieu_luc": [True, False],
        "ngay_cap_nhat": pa.array([datetime(2026, 11, 20, 8, 30), None], pa.timestamp("us")),
    })  # fmt: skip
    pq.write_table(table, path, row_group_size=1)
    staged, read = _read(path, batch_rows=1)
    rows = staged.to_pylist()
    assert rows[0]["birth_date"] == "1990-03-07" and rows[0]["gender"] == "2" and rows[1]["national_id"] is None
    assert rows[0]["updated_at"] == UPDATED_UTC and [row["is_active"] for row in rows] == [True, False]
    assert read[0].rows == 2
    pq.write_table(table.drop_columns(["gioi_tinh"]), path)
    with pytest.raises(SourceError, match=r"cards.parquet:1:7: missing column gioi_tinh"):
        _read(path)
    path.write_bytes(b"not parquet at all")
    with pytest.raises(SourceError, match="not a Parquet file"):
        _read(path)


def test_dated_patterns_find_the_run_s_files(tmp_path: Path) -> None:
    for name in ("cards_20261120.csv", "cards_20261121.csv", "cards_20261121_b.csv"):
        write_csv(tmp_path / name, "utf-8")
    assert dated_pattern("x/{yyyy}/{mm}/{dd}/cards_{ds_nodash}_{ds}.csv", date(2026, 11, 2)) == (
        "x/2026/11/02/cards_20261102_2026-11-02.csv"
    )
    day = date(2026, 11, 21)
    assert [Path(f.name).name for f in find_files(str(tmp_path / "cards_{ds_nodash}.csv"), day)] == [
        "cards_20261121.csv"
    ]
    assert [Path(f.name).name for f in find_files(str(tmp_path / "cards_{ds_nodash}*.csv"), day)] == [
        "cards_20261121.csv", "cards_20261121_b.csv"
    ]  # fmt: skip
    with pytest.raises(SourceError, match=r"no file matches .*cards_20261122.csv"):
        find_files(str(tmp_path / "cards_{ds_nodash}.csv"), date(2026, 11, 22))


def test_header_names_are_trimmed_and_other_columns_may_repeat(tmp_path: Path) -> None:
    header = [f" {name} " for name in HEADER] + ["ghi_chu", "ghi_chu"]
    path = tmp_path / "cards.csv"
    path.write_text(csv_text([[*row, "a", "b"] for row in ROWS], header=header), encoding="utf-8")
    table, _ = _read(path)
    assert _names(table) == [row[2] for row in ROWS]


def test_an_empty_file_and_a_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "cards.csv"
    path.write_bytes(b"")
    with pytest.raises(SourceError, match=r"cards.csv:1:1: the file is empty"):
        _read(path)
    path.write_text(csv_text([]), encoding="utf-8")
    table, read = _read(path)
    assert table.num_rows == 0 and read[0].rows == 0


def test_bad_bytes_after_the_detected_part_are_located(tmp_path: Path) -> None:
    rows = [[f"K{n}", "", "Nguyễn Văn An", "", "1", "1", ""] for n in range(50_000)]  # > 1 MiB before row 45002
    rows[45_000][0] = "K\x01"
    path = tmp_path / "cards.csv"
    path.write_bytes(csv_text(rows).encode("utf-8").replace(b"K\x01", b"K\xff"))
    with pytest.raises(SourceError, match=r"cards.csv:45002:1: bytes that are not utf-8 text"):
        _read(path)
