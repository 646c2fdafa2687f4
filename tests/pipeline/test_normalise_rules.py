"""Table-driven tests of the normalisation rules (include/sql/duckdb/normalise.sql, macros.sql)."""

import unicodedata
from datetime import date

import pytest

from popsync.domain.legacy_encodings import encode_mojibake
from tests.pipeline.helpers import dataset, normalise_rows, session

ID_CASES = [
    ("001085012345", "001085012345", "cccd", None),
    ("001 085 012 345", "001085012345", "cccd", None),
    ("001.085.012.345", "001085012345", "cccd", None),
    ("001-085-012345", "001085012345", "cccd", None),
    ("\u00a0001085012345\t", "001085012345", "cccd", None),
    ("096185000001", "096185000001", "cccd", None),
    ("", "", "missing", None),
    (None, "", "missing", None),
    ("  . - ", "", "missing", None),
    ("123456789", "123456789", "cmnd", None),
    ("123 456 789", "123456789", "cmnd", None),
    ("12345678", "12345678", "invalid", "length"),
    ("00108501234", "00108501234", "invalid", "length"),
    ("0010850123456", "0010850123456", "invalid", "length"),
    ("00108501234O", "00108501234O", "invalid", "non_digit"),
    ("abc", "abc", "invalid", "non_digit"),
    ("003085012345", "003085012345", "invalid", "unknown_province"),
    ("097085012345", "097085012345", "invalid", "unknown_province"),
    ("000085012345", "000085012345", "invalid", "unknown_province"),
]


# Digit groups whose last group is or ends in zeros keep every digit (a float's fraction is only
# ever "digits, one dot, zeros"); a real float rendering still loses its fraction.
ZERO_GROUP_CASES = [
    ("037.083.125.000", "037083125000", "cccd", None),
    ("037 083 125 000", "037083125000", "cccd", None),
    ("037-083-125-000", "037083125000", "cccd", None),
    ("037\u00a0083\u00a0125\u00a0000", "037083125000", "cccd", None),
    ("037 083 125000", "037083125000", "cccd", None),
    ("037.083.125.100", "037083125100", "cccd", None),
    ("037.083.125.120", "037083125120", "cccd", None),
    ("037.083.100.000", "037083100000", "cccd", None),
    ("0370.8312.5000", "037083125000", "cccd", None),
    ("037.083.125.000.0", "0370831250000", "invalid", "length"),  # grouped text is not a float
    ("123.456.000", "123456000", "cmnd", None),
    ("123 456 000", "123456000", "cmnd", None),
    ("123-456-700", "123456700", "cmnd", None),
    ("037083125000.0", "037083125000", "cccd", None),
    ("037083125000.00", "037083125000", "cccd", None),
    ("０３７０８３１２５０００.0", "037083125000", "cccd", None),
    ("37083125000.0", "37083125000", "invalid", "length"),
    ("123456000.0", "123456000", "cmnd", None),
    ("037083125000.5", "0370831250005", "invalid", "length"),
]


@pytest.mark.parametrize(("raw", "normalised", "kind", "problem"), ZERO_GROUP_CASES)
def test_id_digit_groups_ending_in_zeros_keep_every_digit(
    raw: str, normalised: str, kind: str, problem: str | None
) -> None:
    [row] = normalise_rows([{"national_id": raw}], dataset())
    assert (row["national_id"], row["id_kind"], row["id_problem"]) == (normalised, kind, problem)


@pytest.mark.parametrize(("raw", "normalised", "kind", "problem"), ID_CASES)
def test_national_id_normalisation(raw: str | None, normalised: str, kind: str, problem: str | None) -> None:
    [row] = normalise_rows([{"national_id": raw}], dataset())
    assert (row["national_id"], row["id_kind"], row["id_problem"]) == (normalised, kind, problem)


SAME_NAME = [
    ("Nguyễn Văn Hòa", "NGUYỄN VĂN HOÀ"),  # case and old/new tone placement
    ("Trần Thị Thúy", "Trần Thị Thuý"),
    ("Lê Thị Thủy", "Lê Thị Thuỷ"),
    ("Phạm Văn Khỏe", "Phạm Văn Khoẻ"),
    ("Hoàng Thị Hòe", "Hoàng Thị Hoè"),
    ("Vũ Thị Thụy", "Vũ Thị Thuỵ"),
    ("Đặng Ngọc Ánh", unicodedata.normalize("NFD", "Đặng Ngọc Ánh")),  # NFC vs NFD
    ("Bùi  Thị   Lan ", " bùi thị lan"),  # white space
    ("Đỗ\tVăn\x01Nam\x7f", "Đỗ Văn Nam"),  # control characters (PostgreSQL text has no NUL)
    ("ĐẶNG VĂN ĐỨC", "đặng văn đức"),
]


@pytest.mark.parametrize(("left", "right"), SAME_NAME)
def test_same_name_has_equal_keys(left: str, right: str) -> None:
    rows = normalise_rows([{"full_name": left}, {"full_name": right}], dataset())
    assert rows[0]["name_key"] == rows[1]["name_key"]


DIFFERENT_NAME_SAME_LETTERS = [
    ("Nguyễn Văn Hòa", "Nguyen Van Hoa"),
    ("Đặng Đức", "Dang Duc"),  # Đ has no decomposition: mapped to D
    ("Trương Thị Ơn", "Truong Thi On"),
    ("Hòa", "Hoa"),
]


@pytest.mark.parametrize(("left", "right"), DIFFERENT_NAME_SAME_LETTERS)
def test_names_equal_only_without_diacritics(left: str, right: str) -> None:
    with session() as duck:
        keys_equal, plain_equal = duck.execute(
            "SELECT name_key(?) = name_key(?), name_without_diacritics(?) = name_without_diacritics(?)",
            [left, right, left, right],
        ).fetchone() or (None, None)
    assert keys_equal is False
    assert plain_equal is True


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize("name", ["Nguyễn Văn Hoà", "Trần Thị Thuỷ", "Đặng Ngọc Ánh", "Lê Quý Đôn", "Xin chào"])
def test_mojibake_repairs_to_the_same_key(name: str, encoding: str) -> None:
    garbled = encode_mojibake(name, encoding)  # type: ignore[arg-type]
    assert garbled != name
    with session() as duck:
        repaired, garbled_key = duck.execute(
            "SELECT name_key(repair_mojibake(?)) = name_key(?), name_key(?) = name_key(?)",
            [garbled, name, garbled, name],
        ).fetchone() or (None, None)
    assert repaired is True
    assert garbled_key is False


DATE_CASES = [
    (("dd/mm/yyyy",), "04/03/1985", date(1985, 3, 4), "day"),
    (("dd/mm/yyyy",), "4/3/1985", date(1985, 3, 4), "day"),
    (("dd/mm/yyyy",), " 29/02/2000 ", date(2000, 2, 29), "day"),
    (("dd/mm/yyyy",), "31/02/1990", None, None),
    (("dd/mm/yyyy",), "29/02/1900", None, None),
    (("dd/mm/yyyy",), "1985", None, None),
    (("dd/mm/yyyy",), "", None, None),
    (("dd/mm/yyyy",), None, None, None),
    (("dd/mm/yyyy",), "01/01/2099", date(2099, 1, 1), "future"),
    (("dd/mm/yyyy",), "01/01/1899", date(1899, 1, 1), "too old"),
    (("yyyy0000", "yyyymm00", "yyyymmdd"), "19850304", date(1985, 3, 4), "day"),
    (("yyyy0000", "yyyymm00", "yyyymmdd"), "19850000", date(1985, 1, 1), "year"),
    (("yyyy0000", "yyyymm00", "yyyymmdd"), "19850300", date(1985, 3, 1), "month"),
    (("yyyy0000", "yyyymm00", "yyyymmdd"), "19851345", None, None),
    (("yyyy0000", "yyyymm00", "yyyymmdd"), "1985", None, None),
    (("yyyymmdd",), "19850000", None, None),
    (("dd/mm/yyyy", "mm/yyyy", "yyyy"), "03/1985", date(1985, 3, 1), "month"),
    (("dd/mm/yyyy", "mm/yyyy", "yyyy"), "1985", date(1985, 1, 1), "year"),
    (("dd/mm/yyyy", "mm/yyyy", "yyyy"), "13/1985", None, None),
    (("yyyy-mm-dd",), "1985-03-04", date(1985, 3, 4), "day"),
    (("yyyy-mm-dd",), "1985-02-30", None, None),
    (("yyyy-mm-dd",), "04/03/1985", None, None),
]


@pytest.mark.parametrize(("formats", "raw", "value", "precision"), DATE_CASES)
def test_birth_date_parsing(
    formats: tuple[str, ...], raw: str | None, value: date | None, precision: str | None
) -> None:
    [row] = normalise_rows([{"birth_date": raw}], dataset(formats))
    if precision in ("future", "too old"):
        assert row["birth_date"] == value
        assert row["birth_date_valid"] is False
    elif value is None:
        assert row["birth_date"] is None
        assert row["birth_date_valid"] is False
    else:
        assert (row["birth_date"], row["birth_date_precision"], row["birth_date_valid"]) == (value, precision, True)


GENDER_CASES = [
    ({"Nam": "M", "Nữ": "F"}, "Nam", "M"),
    ({"Nam": "M", "Nữ": "F"}, " nam ", "M"),
    ({"Nam": "M", "Nữ": "F"}, "Nữ", "F"),
    ({"Nam": "M", "Nữ": "F"}, unicodedata.normalize("NFD", "Nữ"), "F"),
    ({"Nam": "M", "Nữ": "F"}, "NỮ", "F"),
    ({"Nam": "M", "Nữ": "F"}, "X", None),
    ({"Nam": "M", "Nữ": "F"}, "", None),
    ({"Nam": "M", "Nữ": "F"}, None, None),
    ({"1": "M", "2": "F"}, "1", "M"),
    ({"1": "M", "2": "F"}, "2", "F"),
    ({"1": "M", "2": "F"}, "3", None),
    ({"1": "M", "0": "F"}, "0", "F"),
    ({"M": "M", "F": "F"}, "m", "M"),
    ({"M": "M", "F": "F"}, "Nam", None),
]


@pytest.mark.parametrize(("mapping", "raw", "expected"), GENDER_CASES)
def test_gender_mapping(mapping: dict[str, str], raw: str | None, expected: str | None) -> None:
    [row] = normalise_rows([{"gender": raw}], dataset(genders=mapping))
    assert row["gender"] == expected


@pytest.mark.parametrize(
    ("name", "garbled"),
    [
        ("Nguyễn Văn Hoà", False),
        ("NGUYỄN THỊ THUỶ", False),
        ("Lê Văn An", False),
        ("Phan Thị Ánh", False),
        (encode_mojibake("Nguyễn Văn Hoà", "tcvn3"), True),
        (encode_mojibake("Trần Thị Thuỷ", "vni"), True),
        ("Lê\x07Văn An", True),
    ],
)
def test_garbled_name_flag(name: str, garbled: bool) -> None:
    [row] = normalise_rows([{"full_name": name}], dataset())
    assert row["name_garbled"] is garbled
