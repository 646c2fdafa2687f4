"""Card files as provincial offices deliver them: each encoding and format, and broken ones."""

import codecs
import csv
import io
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from popsync.domain.legacy_encodings import register_tcvn3_codec
from popsync.sectors.model import FileSource

register_tcvn3_codec()

HEADER = ["ma_the", "so_dinh_danh", "ho_ten", "ngay_sinh", "gioi_tinh", "con_hieu_luc", "ngay_cap_nhat"]
ROWS = [
    ["HN-001", "001090012345", "Nguyễn Thị Hồng Nhung", "07/03/1990", "2", "1", "2026-11-20 08:30:00"],
    ["HN-002", "079185000123", "Trần Văn Đức", "31/12/1985", "1", "0", "2026-11-19 23:59:59"],
    ["HN-003", "", "Phạm Mỹ Duyên", "", "", "", ""],
    ["HN-004", "001201000777", "Lê Quang Khải", "1/2/2001", "1", "true", "2026-11-20T07:00:00"],
]
UPDATED_UTC = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # 08:30 in UTC+7
COLUMNS = {
    "source_key": "ma_the",
    "national_id": "so_dinh_danh",
    "full_name": "ho_ten",
    "birth_date": "ngay_sinh",
    "gender": "gioi_tinh",
    "is_active": "con_hieu_luc",
    "updated_at": "ngay_cap_nhat",
}
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
        out += base.encode("cp1258") + "".join(p for p in parts if p in _TONES).encode("cp1258")
    return bytes(out)


def csv_text(rows: list[list[str]], delimiter: str = ",", header: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER if header is None else header)
    writer.writerows(rows)
    return buffer.getvalue()


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if encoding == "utf-16-excel":  # Excel "Unicode text": UTF-16 LE with a BOM, tab-separated
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "cp1258":
        return cp1258(text)
    return text.encode(encoding)


def write_csv(path: Path, encoding: str, rows: list[list[str]] | None = None) -> Path:
    delimiter = "\t" if encoding == "utf-16-excel" else ","
    path.write_bytes(encoded(csv_text(ROWS if rows is None else rows, delimiter), encoding))
    return path


def file_source(path: str, **options: object) -> FileSource:
    return FileSource.model_validate({"kind": "file", "path": path, "timezone": "Asia/Ho_Chi_Minh", **options})
