"""Table-driven tests of the reason codes (include/sql/duckdb/reconcile.sql)."""

import json
from datetime import date
from typing import Any

import pytest

from popsync.domain.legacy_encodings import encode_mojibake
from tests.pipeline.helpers import dataset, reconcile_rows

HOA = {
    "national_id": "001085012345",
    "former_cmnd": "123456789",
    "full_name": "Nguyễn Văn Hòa",
    "birth_date": date(1985, 3, 4),
    "birth_date_precision": "day",
    "gender": "M",
    "residence_province": "079",
}
LAN = {
    "national_id": "001185000003",
    "full_name": "Phạm Thị Lan",
    "birth_date": date(1940, 1, 1),
    "birth_date_precision": "year",
    "gender": "F",
    "residence_province": "001",
}
DUC = {
    "national_id": "001150000002",
    "full_name": "Lê Văn Đức",
    "birth_date": date(1950, 5, 6),
    "birth_date_precision": "day",
    "gender": "M",
    "residence_province": "001",
    "is_deceased": True,
    "date_of_death": date(2024, 1, 1),
}
REGISTER = [HOA, LAN, DUC]
FORMATS = ("dd/mm/yyyy", "mm/yyyy", "yyyy")
HOA_ROW = {"national_id": "001085012345", "full_name": "Nguyễn Văn Hòa", "birth_date": "04/03/1985", "gender": "Nam"}

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("exact", {}, []),
    ("tone style, case, spacing, separators", {"national_id": "001-085-012 345", "full_name": " NGUYỄN  VĂN HOÀ"}, []),
    ("missing id", {"national_id": " "}, ["MISSING_ID"]),
    ("invalid id", {"national_id": "00108501234"}, ["INVALID_ID"]),
    ("unknown province", {"national_id": "099085012345"}, ["INVALID_ID"]),
    ("legacy id linked", {"national_id": "123456789"}, ["LEGACY_ID"]),
    ("legacy id unknown", {"national_id": "987654321"}, ["LEGACY_ID", "NOT_IN_REFERENCE"]),
    ("not in reference", {"national_id": "001085999999"}, ["NOT_IN_REFERENCE"]),
    ("name changed", {"full_name": "Nguyễn Văn Hùng"}, ["NAME_MISMATCH"]),
    ("diacritics dropped", {"full_name": "Nguyen Van Hoa"}, ["NAME_DIACRITICS"]),
    ("tcvn3 mojibake", {"full_name": encode_mojibake("Nguyễn Văn Hòa", "tcvn3")}, ["NAME_ENCODING"]),
    ("vni mojibake", {"full_name": encode_mojibake("Nguyễn Văn Hòa", "vni")}, ["NAME_ENCODING"]),
    ("dob changed", {"birth_date": "04/03/1984"}, ["DOB_MISMATCH"]),
    ("dob partial on the sector side", {"birth_date": "1985"}, ["DOB_PARTIAL"]),
    ("dob partial month", {"birth_date": "03/1985"}, ["DOB_PARTIAL"]),
    ("dob partial year differs", {"birth_date": "1986"}, ["DOB_MISMATCH"]),
    ("dob impossible", {"birth_date": "31/02/1985"}, ["DOB_INVALID"]),
    ("dob future", {"birth_date": "01/01/2031"}, ["DOB_INVALID"]),
    ("gender flipped", {"gender": "Nữ"}, ["GENDER_MISMATCH"]),
    ("gender unmappable", {"gender": "X"}, ["GENDER_MISMATCH"]),
    (
        "combination",
        {"national_id": "123456789", "full_name": "Nguyen Van Hoa", "birth_date": "1990", "gender": ""},
        ["DOB_MISMATCH", "GENDER_MISMATCH", "LEGACY_ID", "NAME_DIACRITICS"],
    ),
    (
        "unlinked record: only sector-side checks",
        {"national_id": "", "birth_date": "x", "gender": "?"},
        ["DOB_INVALID", "GENDER_MISMATCH", "MISSING_ID"],
    ),
]


@pytest.mark.parametrize(("label", "change", "expected"), CASES, ids=[case[0] for case in CASES])
def test_reason_codes(label: str, change: dict[str, Any], expected: list[str]) -> None:
    [result] = reconcile_rows([{**HOA_ROW, **change}], REGISTER, dataset(FORMATS))
    assert result["reasons"] == expected


@pytest.mark.parametrize(("label", "change", "expected"), CASES[2:], ids=[case[0] for case in CASES[2:]])
def test_every_reason_names_its_rule_in_the_details(label: str, change: dict[str, Any], expected: list[str]) -> None:
    """Explainable: each reason code appears in the ``rule`` of the detail that carries its values."""
    [result] = reconcile_rows([{**HOA_ROW, **change}], REGISTER, dataset(FORMATS))
    details = json.loads(result["details"])
    rules = " ".join(str(value.get("rule", "")) for value in details.values() if isinstance(value, dict))
    for code in expected:
        assert code in rules, (code, details)


def test_register_partial_date_agrees_with_full_sector_date() -> None:
    row = {"national_id": LAN["national_id"], "full_name": "Phạm Thị Lan", "birth_date": "01/01/1940", "gender": "Nữ"}
    [same_year] = reconcile_rows([row], REGISTER, dataset(FORMATS))
    [full_match] = reconcile_rows([{**row, "birth_date": "1940"}], REGISTER, dataset(FORMATS))
    assert same_year["reasons"] == ["DOB_PARTIAL"]
    assert full_match["reasons"] == []


def test_deceased_only_when_active_and_declared() -> None:
    row = {"national_id": DUC["national_id"], "full_name": "Lê Văn Đức", "birth_date": "06/05/1950", "gender": "Nam"}
    [active] = reconcile_rows([row], REGISTER, dataset(FORMATS))
    [inactive] = reconcile_rows([{**row, "is_active": False}], REGISTER, dataset(FORMATS))
    assert active["reasons"] == ["DECEASED"]
    assert active["details"] is not None
    assert inactive["reasons"] == []
    [undeclared] = reconcile_rows([row], REGISTER, dataset(FORMATS), checks_deceased=False)
    assert undeclared["reasons"] == []


def test_duplicates_group_on_the_resolved_id() -> None:
    legacy = {**HOA_ROW, "national_id": "123456789"}
    unknown = {**HOA_ROW, "national_id": "001085999999"}
    results = reconcile_rows(
        [HOA_ROW, legacy, unknown, unknown, {**HOA_ROW, "national_id": ""}], REGISTER, dataset(FORMATS)
    )
    assert [r["reasons"] for r in results] == [
        ["DUPLICATE_ID"],
        ["DUPLICATE_ID", "LEGACY_ID"],
        ["DUPLICATE_ID", "NOT_IN_REFERENCE"],
        ["DUPLICATE_ID", "NOT_IN_REFERENCE"],
        ["MISSING_ID"],
    ]


def test_not_in_reference_details_flag_a_likely_typo() -> None:
    typo = {**HOA_ROW, "national_id": "001185012345"}  # gender digit of a woman on a man's record
    consistent = {**HOA_ROW, "national_id": "001085999999"}
    typo_result, consistent_result = reconcile_rows([typo, consistent], REGISTER, dataset(FORMATS))
    import json

    typo_id = json.loads(typo_result["details"])["national_id"]
    assert typo_id["likely_typo"] is True
    assert (typo_id["id_gender"], typo_id["record_gender"]) == ("F", "M")
    assert json.loads(consistent_result["details"])["national_id"]["likely_typo"] is False


def test_details_carry_both_sides_of_each_differing_field() -> None:
    import json

    [result] = reconcile_rows([{**HOA_ROW, "full_name": "Nguyễn Văn Hùng", "gender": "Nữ"}], REGISTER, dataset(FORMATS))
    details = json.loads(result["details"])
    assert details["full_name"] == {
        "sector": "Nguyễn Văn Hùng",
        "register": "Nguyễn Văn Hòa",
        "rule": "NAME_MISMATCH: name keys differ; neither an encoding repair nor removing diacritics makes them equal",
    }
    assert details["gender"]["sector"] == "Nữ"
    assert details["gender"]["register"] == "M"
    assert set(details) == {"full_name", "gender"}


def test_province_comes_from_register_then_id_then_unknown() -> None:
    rows = [HOA_ROW, {**HOA_ROW, "national_id": "048085999999"}, {**HOA_ROW, "national_id": "x"}]
    results = reconcile_rows(rows, REGISTER, dataset(FORMATS))
    assert [r["province_code"] for r in results] == ["079", "048", None]
