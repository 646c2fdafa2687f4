"""Suggested IDs (include/sql/duckdb/suggestions.sql) and the name folding of macros.sql."""

import json
from datetime import date
from typing import Any

import pytest

from popsync.domain.name_repairs import INVISIBLE, LOOKALIKES, SPACES, fold_name
from popsync.generate.names import name_key as drawn_name_key
from tests.pipeline.helpers import dataset, reconcile_rows, session

AN = {
    "national_id": "001085012345",
    "full_name": "Nguyễn Văn An",
    "birth_date": date(1985, 3, 4),
    "birth_date_precision": "day",
    "gender": "M",
    "residence_province": "001",
}
BINH_YEAR = {
    "national_id": "079190000123",
    "full_name": "Trần Thị Bình",
    "birth_date": date(1990, 1, 1),
    "birth_date_precision": "year",
    "gender": "F",
    "residence_province": "079",
}
BINH_DAY = {**BINH_YEAR, "national_id": "079190000124", "birth_date": date(1990, 5, 1), "birth_date_precision": "day"}
REGISTER = [AN, BINH_YEAR, BINH_DAY]


def _record(
    national_id: str | None, name: str = "Nguyễn Văn An", born: str = "04/03/1985", gender: str = "Nam"
) -> dict[str, Any]:
    return {"national_id": national_id, "full_name": name, "birth_date": born, "gender": gender}


CASES = [
    # (record, expected reasons, suggested ID, method, candidates)
    (_record("1085012345"), ["INVALID_ID"], "001085012345", "id_leading_zero", 1),
    (_record("01085012345"), ["INVALID_ID"], "001085012345", "id_leading_zero", 1),
    (_record("OO1O85O12345"), ["INVALID_ID"], "001085012345", "id_letter_digit", 1),
    (_record("001058012345"), ["NOT_IN_REFERENCE"], "001085012345", "id_transposition", 1),
    (_record("001185012345"), ["NOT_IN_REFERENCE"], "001085012345", "id_typo", 1),
    (_record("000085012345"), ["INVALID_ID"], "001085012345", "id_typo", 1),
    (_record(""), ["MISSING_ID"], "001085012345", "name_birth_gender", 1),
    (_record("999999999"), ["LEGACY_ID", "NOT_IN_REFERENCE"], "001085012345", "name_birth_gender", 1),
    (_record("NGUYEN"), ["INVALID_ID"], "001085012345", "name_birth_gender", 1),
    (_record("", name="NGUYỄN  VĂN AN"), ["MISSING_ID"], "001085012345", "name_birth_gender", 1),
    # name, birth date or gender disagree: no suggestion, even one digit away
    (_record("001185012345", name="Nguyễn Văn Anh"), ["NOT_IN_REFERENCE"], None, None, None),
    (_record("001185012345", born="05/03/1985"), ["NOT_IN_REFERENCE"], None, None, None),
    (_record("001185012345", gender="Nữ"), ["NOT_IN_REFERENCE"], None, None, None),
    (_record("", born="31/02/1985"), ["DOB_INVALID", "MISSING_ID"], None, None, None),
    # two register persons fit (one registered with the year only): counted, not suggested
    (_record("", name="Trần Thị Bình", born="01/05/1990", gender="Nữ"), ["MISSING_ID"], None, "name_birth_gender", 2),
    (
        _record("", name="Trần Thị Bình", born="02/05/1990", gender="Nữ"),
        ["MISSING_ID"],
        "079190000123",
        "name_birth_gender",
        1,
    ),
]


@pytest.mark.parametrize(("record", "reasons", "suggested", "method", "candidates"), CASES)
def test_suggested_ids(
    record: dict[str, Any], reasons: list[str], suggested: str | None, method: str | None, candidates: int | None
) -> None:
    [row] = reconcile_rows([record], REGISTER, dataset())
    assert row["reasons"] == reasons
    suggestion = _details(row).get("suggestion")
    if method is None:
        assert suggestion is None
    else:
        assert suggestion is not None
        assert (suggestion["method"], suggestion["candidates"]) == (method, candidates)
    assert row["suggested_national_id"] == suggested


def test_reasons_do_not_depend_on_suggestions() -> None:
    """The same records against a register with and without the persons they point at."""
    records = [record for record, *_ in CASES]
    with_candidates = reconcile_rows(records, REGISTER, dataset())
    without = reconcile_rows(records, [{**AN, "national_id": "002085012345", "full_name": "Lê Lợi"}], dataset())
    assert [row["reasons"] for row in with_candidates] == [row["reasons"] for row in without]
    assert all(row["suggested_national_id"] is None for row in without)


def _details(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["details"]) if row["details"] else {}


def test_sql_name_key_folds_like_python() -> None:
    """macros.sql fold_lookalikes and popsync.domain.name_repairs agree character by character."""
    texts = [f"Lê{char}Văn" for char in [*LOOKALIKES, *SPACES, *INVISIBLE]]
    texts += ["\ufeffNguy\u0435\u0302\u0303n\u00a0Văn\u200b An", "ÐẶNG  VĂN\u3000AN"]
    with session() as duck:
        rows = duck.execute("SELECT t, name_key(t) FROM unnest(?::VARCHAR[]) AS u(t)", [texts]).fetchall()
    assert {text: key for text, key in rows} == {text: drawn_name_key(fold_name(text)) for text in texts}
