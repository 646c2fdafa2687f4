"""Suggested IDs (include/sql/duckdb/suggestions.sql) and the name folding of macros.sql."""

import json
import random
from datetime import date
from typing import Any

import pytest

from popsync.domain.id_suggestions import LETTER_DIGITS, SuggestionMethod, id_method
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
    # two register persons fit, one only through its year-only date: the day-precise one is
    # separated by the date's precision (date_precision)
    (
        _record("", name="Trần Thị Bình", born="01/05/1990", gender="Nữ"),
        ["MISSING_ID"],
        "079190000124",
        "name_birth_gender",
        2,
    ),
    (
        # the one fit agrees only because the register's date is year-only: listed, not suggested
        _record("", name="Trần Thị Bình", born="02/05/1990", gender="Nữ"),
        ["MISSING_ID"],
        None,
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


_SLIP_RANKS = {
    SuggestionMethod.ID_LEADING_ZERO: 1,
    SuggestionMethod.ID_LETTER_DIGIT: 2,
    SuggestionMethod.ID_TRANSPOSITION: 3,
    SuggestionMethod.ID_TYPO: 4,
}


def _id_kind(text: str) -> str:
    """The kind normalise.sql gives a well-formed or malformed ID (a 12-digit ID of an unknown
    province is also ``invalid``: the slips of a 12-digit ID do not depend on its kind)."""
    if not text:
        return "missing"
    if text.isdigit() and len(text) in (9, 12):
        return "cmnd" if len(text) == 9 else "cccd"
    return "invalid"


_LOOKALIKES = {digit: [letter for letter, value in LETTER_DIGITS.items() if value == digit] for digit in "0125679"}
"""The letters typed for each digit they look like (``LETTER_DIGITS`` read the other way)."""


def _slipped(person: str, rng: random.Random) -> list[str]:
    """IDs a record may carry for ``person``: each slip, slips that are not one, and other IDs."""
    where, far = rng.randrange(11), rng.randrange(10)
    digit = str((int(person[where]) + rng.randrange(1, 10)) % 10)
    looks = "".join(rng.choice(_LOOKALIKES[c]) if c in _LOOKALIKES and rng.random() < 0.4 else c for c in person)
    return [
        person,  # the ID itself: no slip
        person[:where] + digit + person[where + 1 :],  # a typo
        person[:where] + person[where + 1] + person[where] + person[where + 2 :],  # a transposition (or itself)
        person[:far] + person[far + 2] + person[far + 1] + person[far] + person[far + 3 :],  # not adjacent
        person.lstrip("0") or "0",  # leading zeros lost (or too short to be a slip)
        person[1:],  # one leading digit lost, whatever it was
        person[:where] + person[where + 1 :],  # a digit lost inside
        looks,  # letters that look like the digits (or the ID itself when none was drawn)
        looks + "X",  # a letter no table maps
        "".join(rng.choice("0123456789") for _ in range(12)),  # another person's ID
        person[:9],  # a 9-digit number (a CMND)
        "",
    ]


def test_sql_id_slip_is_the_python_id_method() -> None:
    """macros.sql ``id_slip`` (how the search compares a record's ID with the IDs of its name block)
    finds exactly the slips ``popsync.domain.id_suggestions.id_method`` finds, and ranks them as the
    methods' order."""
    rng = random.Random(20261207)
    persons = ["001085012345", "000000000001", "100000000000", "079190000124"]
    persons += ["".join(rng.choice("0012") for _ in range(12)) for _ in range(150)]  # zeros, repeats
    persons += ["".join(rng.choice("0123456789") for _ in range(12)) for _ in range(150)]
    pairs = [(text, _id_kind(text), person) for person in persons for text in _slipped(person, rng)]
    with session() as duck:
        rows = duck.execute(
            "SELECT id_slip(r.text, r.kind, r.person) "
            "FROM unnest(?::STRUCT(text VARCHAR, kind VARCHAR, person VARCHAR)[]) AS u(r)",
            [[{"text": text, "kind": kind, "person": person} for text, kind, person in pairs]],
        ).fetchall()
    found = [row[0] for row in rows]
    methods = [id_method(text, person) for text, _, person in pairs]
    expected = [None if method is None else _SLIP_RANKS[method] for method in methods]
    assert found == expected
    assert {rank for rank in expected if rank} == {1, 2, 3, 4}  # every slip is drawn


@pytest.mark.parametrize("person", ["00108501234", "0010850123456", "00108501234A", None])
def test_sql_id_slip_needs_a_twelve_digit_person_id(person: str | None) -> None:
    """A register ID that is not 12 digits is no slip's target (the methods lead to a 12-digit ID)."""
    with session() as duck:
        rows = duck.execute(
            "SELECT id_slip(t, 'invalid', ?) FROM unnest(['001085012345', '00108501234', '1085012345', 'OO1O85O1234']) "
            "AS u(t)",
            [person],
        ).fetchall()
    assert [row[0] for row in rows] == [None] * 4


# --- candidate lists and their evidence (docs/reconciliation-rules.md, "Candidate lists") --------


def _twin(national_id: str, **changes: Any) -> dict[str, Any]:
    """A register person identical to AN on name, birth date and gender."""
    return {**AN, "national_id": national_id, **changes}


def _only(rows: list[dict[str, Any]], source_key: str) -> dict[str, Any]:
    [row] = [row for row in rows if row["source_key"] == source_key]
    return row


def test_every_fit_is_stored_with_its_evidence() -> None:
    [row] = reconcile_rows([_record("")], REGISTER, dataset())
    [candidate] = row["candidates"]
    assert (candidate["candidate_national_id"], candidate["rank"], candidate["method"]) == (
        "001085012345",
        1,
        "name_birth_gender",
    )
    assert candidate["suggested"] is True
    assert float(candidate["confidence"]) == pytest.approx(0.849)
    evidence = json.loads(candidate["evidence"])
    assert evidence["record_precision"] == evidence["register_precision"] == "day"
    assert (evidence["block_size"], evidence["linked_elsewhere"]) == (1, 0)
    assert evidence["id_province"] is None  # no 12-digit ID to compare
    suggestion = _details(row)["suggestion"]
    assert (suggestion["rule"], suggestion["confidence"]) == ("one plausible candidate", pytest.approx(0.849))
    assert suggestion["compared"]["register_birth_date"] == "1985-03-04"


def test_a_fit_only_through_a_year_only_register_date_is_listed_not_suggested() -> None:
    register = [{**AN, "birth_date": date(1985, 1, 1), "birth_date_precision": "year"}]
    [row] = reconcile_rows([_record("")], register, dataset())
    [candidate] = row["candidates"]
    assert row["suggested_national_id"] is None
    assert candidate["suggested"] is False
    assert float(candidate["confidence"]) <= 0.425
    assert json.loads(candidate["evidence"])["compared_precision"] == "year"
    assert _details(row)["suggestion"]["rule"] == "confidence below 0.5"


def test_a_month_only_record_date_scores_below_a_day_precise_one() -> None:
    [day] = reconcile_rows([_record("")], REGISTER, dataset())
    [month] = reconcile_rows([_record("", born="03/1985")], REGISTER, dataset(("dd/mm/yyyy", "mm/yyyy")))
    assert float(month["candidates"][0]["confidence"]) < float(day["candidates"][0]["confidence"])
    assert month["suggested_national_id"] == "001085012345"  # 0.827: still one plausible candidate


def test_a_candidate_linked_by_another_record_is_flagged_and_never_the_single_suggestion() -> None:
    rows = reconcile_rows([_record("001085012345"), _record("")], REGISTER, dataset())
    linked, unlinked = rows
    assert linked["reasons"] == []
    [candidate] = unlinked["candidates"]
    assert json.loads(candidate["evidence"])["linked_elsewhere"] == 1
    assert candidate["suggested"] is False
    assert unlinked["suggested_national_id"] is None
    assert _details(unlinked)["suggestion"]["rule"] == "only candidate linked elsewhere"


def test_of_two_candidates_the_one_not_linked_elsewhere_is_suggested() -> None:
    register = [AN, _twin("079085012399", residence_province="079")]
    rows = reconcile_rows([_record("079085012399"), _record("")], register, dataset())
    unlinked = rows[1]
    assert [c["candidate_national_id"] for c in unlinked["candidates"]] == ["001085012345", "079085012399"]
    assert [c["suggested"] for c in unlinked["candidates"]] == [True, False]
    assert unlinked["suggested_national_id"] == "001085012345"


def test_two_plausible_candidates_give_a_list_and_no_single_suggestion() -> None:
    register = [AN, _twin("079085012399", residence_province="079")]
    [row] = reconcile_rows([_record("")], register, dataset())
    assert row["suggested_national_id"] is None
    assert {c["candidate_national_id"] for c in row["candidates"]} == {"001085012345", "079085012399"}
    assert not any(c["suggested"] for c in row["candidates"])
    suggestion = _details(row)["suggestion"]
    assert (suggestion["candidates"], suggestion["confidence"], suggestion["rule"]) == (
        2,
        0,
        "several plausible candidates",
    )


def test_a_well_formed_id_of_another_province_contradicts_a_twin() -> None:
    register = [AN, _twin("079085012399", residence_province="079")]
    # a 12-digit ID not in the register and more than one slip from both twins
    [row] = reconcile_rows([_record("001085777777")], register, dataset())
    assert row["reasons"] == ["NOT_IN_REFERENCE"]
    assert row["suggested_national_id"] == "001085012345"
    assert _details(row)["suggestion"]["rule"] == "one plausible candidate"
    evidence = {c["candidate_national_id"]: json.loads(c["evidence"]) for c in row["candidates"]}
    assert (evidence["001085012345"]["id_province"], evidence["001085012345"]["id_contradicts"]) == (True, False)
    assert (evidence["079085012399"]["id_province"], evidence["079085012399"]["id_contradicts"]) == (False, True)


def test_a_name_fit_the_record_id_contradicts_is_listed_not_suggested() -> None:
    """A well-formed ID of another province is another person's: the lone name fit is a stranger."""
    [row] = reconcile_rows([_record("079085777777")], [AN], dataset())
    [candidate] = row["candidates"]
    assert json.loads(candidate["evidence"])["id_contradicts"] is True
    assert candidate["suggested"] is False
    assert row["suggested_national_id"] is None
    assert _details(row)["suggestion"]["rule"] == "record ID contradicts every candidate"


def test_the_residence_province_separates_when_the_id_province_does_not() -> None:
    register = [_twin("001085012346", residence_province="002"), _twin("001085012399", residence_province="001")]
    [row] = reconcile_rows([_record("001085777777")], register, dataset())
    assert row["suggested_national_id"] == "001085012399"
    assert _details(row)["suggestion"]["separated_by"] == "residence_province"


def test_a_residence_in_current_codes_is_compared_through_the_current_province() -> None:
    """An ID keeps its former province (030 Hải Dương); the register may write the residence in the
    current table (031 Hải Phòng, which Hải Dương is part of since 1 July 2025): they agree."""
    register = [_twin("030085012345", residence_province="031"), _twin("030085012399", residence_province="079")]
    [row] = reconcile_rows([_record("030085777777")], register, dataset())
    assert row["suggested_national_id"] == "030085012345"
    assert _details(row)["suggestion"]["separated_by"] == "residence_province"
    evidence = {c["candidate_national_id"]: json.loads(c["evidence"]) for c in row["candidates"]}
    assert evidence["030085012345"]["residence_province"] is True
    assert evidence["030085012399"]["residence_province"] is False


def test_a_residence_in_another_current_province_does_not_separate() -> None:
    """031 Hải Phòng is not the current province of 033 Hưng Yên: neither twin lives there."""
    register = [_twin("002085012345", residence_province="031"), _twin("079085012399", residence_province="079")]
    [row] = reconcile_rows([_record("033085777777")], register, dataset())
    assert row["suggested_national_id"] is None
    assert not any(json.loads(c["evidence"])["residence_province"] for c in row["candidates"])


def test_the_former_cmnd_separates_two_plausible_candidates() -> None:
    register = [
        _twin("001085012345", former_cmnd="123456789"),
        _twin("079085012399", residence_province="079"),
        {**BINH_DAY, "former_cmnd": "123456789"},  # shares the CMND: it links nobody
    ]
    [row] = reconcile_rows([_record("123456789")], register, dataset())
    assert row["reasons"] == ["LEGACY_ID", "NOT_IN_REFERENCE"]
    assert row["suggested_national_id"] == "001085012345"
    assert _details(row)["suggestion"]["separated_by"] == "former_cmnd"


def test_at_most_five_candidates_are_stored_and_all_are_counted() -> None:
    register = [_twin(f"0010850123{n:02d}") for n in range(7)]
    [row] = reconcile_rows([_record("")], register, dataset())
    assert [c["rank"] for c in row["candidates"]] == [1, 2, 3, 4, 5]
    assert _details(row)["suggestion"]["candidates"] == 7
    assert row["suggested_national_id"] is None


def test_confidence_falls_as_the_name_grows_common() -> None:
    """Block size: register persons with the record's name key, gender and birth year."""
    others = [_twin(f"0010859{n:05d}", birth_date=date(1985, 1 + n % 12, 10 + n % 15)) for n in range(40)]
    [alone] = reconcile_rows([_record("")], [AN], dataset())
    [crowded] = reconcile_rows([_record("")], [AN, *others], dataset())
    assert json.loads(crowded["candidates"][0]["evidence"])["block_size"] == 41
    assert float(crowded["candidates"][0]["confidence"]) < float(alone["candidates"][0]["confidence"])
    assert crowded["suggested_national_id"] == "001085012345"


@pytest.mark.parametrize(
    ("record_id", "odds"),
    [
        ("001085777777", 10950.0),  # all three groups agree
        ("001195777777", 109.5),  # the century/gender digit disagrees
        ("002085777777", 109.5),  # the province disagrees
        ("000085777777", 1095.0),  # unknown province: only century/gender and year compared, both agree
        ("000195777777", 109.5),  # unknown province, the century/gender digit disagrees
    ],
)
def test_the_record_id_digits_weigh_on_a_name_fit(record_id: str, odds: float) -> None:
    [row] = reconcile_rows([_record(record_id)], [AN], dataset())
    [candidate] = row["candidates"]
    evidence = json.loads(candidate["evidence"])
    agrees = odds == 10950.0
    assert bool(evidence["id_province"] and evidence["id_century_gender"] and evidence["id_birth_year"]) is agrees
    known_province = not record_id.startswith("000")
    assert evidence["id_contradicts"] is (known_province and not agrees)
    expected = 0.85 * odds / (1 + odds)
    assert float(candidate["confidence"]) == pytest.approx(expected, abs=0.001)


# --- names looked up without diacritics or through an encoding repair; year-only dates -------------


@pytest.mark.parametrize(
    ("name", "agreement"),
    [
        ("NGUYEN VAN AN", "without_diacritics"),  # written without any diacritic
        ("Nguyá»…n VÄƒn An", "encoding_repaired"),  # UTF-8 read as Windows-1252
        ("Nguye^~n Va(n An", "encoding_repaired"),  # VIQR
    ],
)
def test_a_name_without_diacritics_or_misencoded_still_finds_its_person(name: str, agreement: str) -> None:
    [row] = reconcile_rows([_record("", name=name)], REGISTER, dataset())
    assert row["suggested_national_id"] == "001085012345"
    [candidate] = row["candidates"]
    assert json.loads(candidate["evidence"])["name_agreement"] == agreement


def test_a_name_without_diacritics_is_compared_in_the_block_of_every_diacritic_spelling() -> None:
    """Written "Nguyen Van An", the record fits Nguyễn Văn An and Nguyễn Văn Ân alike: two candidates, a list."""
    register = [AN, _twin("079085012399", full_name="Nguyễn Văn Ân", residence_province="079")]
    [row] = reconcile_rows([_record("", name="Nguyen Van An")], register, dataset())
    assert row["suggested_national_id"] is None
    assert {c["candidate_national_id"] for c in row["candidates"]} == {"001085012345", "079085012399"}
    assert json.loads(row["candidates"][0]["evidence"])["block_size"] == 2
    # written with its diacritics, the record fits only its own spelling
    [exact] = reconcile_rows([_record("")], register, dataset())
    assert exact["suggested_national_id"] == "001085012345"


def test_a_year_only_record_fits_a_year_only_person_in_a_small_block() -> None:
    """Both dates year-only: the record's own date agrees at its own precision (odds 3 / block 1)."""
    [row] = reconcile_rows(
        [_record("", name="Trần Thị Bình", born="1990", gender="Nữ")],
        [BINH_YEAR],
        dataset(("dd/mm/yyyy", "yyyy")),
    )
    [candidate] = row["candidates"]
    assert float(candidate["confidence"]) == pytest.approx(0.85 * 3 / 4, abs=0.001)
    assert row["suggested_national_id"] == "079190000123"


def test_an_id_slip_to_a_person_linked_elsewhere_is_still_suggested() -> None:
    """A second record of a person, its ID one digit off: name, gender and date agree."""
    rows = reconcile_rows([_record("001085012345"), _record("001185012345")], REGISTER, dataset())
    slip = rows[1]
    [candidate] = slip["candidates"]
    assert (candidate["method"], json.loads(candidate["evidence"])["linked_elsewhere"]) == ("id_typo", 1)
    assert slip["suggested_national_id"] == "001085012345"


def test_the_date_precision_separates_a_day_precise_fit_from_year_only_ones() -> None:
    [row] = reconcile_rows([_record("", name="Trần Thị Bình", born="01/05/1990", gender="Nữ")], REGISTER, dataset())
    assert row["suggested_national_id"] == "079190000124"
    suggestion = _details(row)["suggestion"]
    assert (suggestion["rule"], suggestion["separated_by"]) == ("separated by date_precision", "date_precision")
    # a year-only record compares both persons at the year: nothing separates them
    [year] = reconcile_rows(
        [_record("", name="Trần Thị Bình", born="1990", gender="Nữ")], REGISTER, dataset(("dd/mm/yyyy", "yyyy"))
    )
    assert year["suggested_national_id"] is None
    assert _details(year)["suggestion"]["rule"] == "several plausible candidates"
