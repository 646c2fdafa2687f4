"""Side-by-side comparison of a mismatched record with the register, with the differing parts marked."""

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from popsync.web.i18n import Translator
from popsync.web.queries import MismatchRecord, RegisterPerson


@dataclass(frozen=True)
class Segment:
    text: str
    differs: bool


@dataclass(frozen=True)
class FieldComparison:
    field: str  # label key: full_name, birth_date, gender, national_id, deceased
    sector: tuple[Segment, ...]
    register: tuple[Segment, ...]
    differs: bool
    note: str | None = None  # label key of a remark (e.g. likely_typo)
    sector_same_as_register: bool = False


def _plain(text: str | None, differs: bool = False) -> tuple[Segment, ...]:
    return (Segment(text, differs),) if text else ()


def diff_segments(left: str, right: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Character-level difference of two strings, as marked segments of each side."""
    # Case is not a difference (the rules compare names case-insensitively): align lower-cased
    # texts when lower-casing keeps their lengths, and show the original characters.
    lowered = (left.lower(), right.lower())
    same_lengths = len(lowered[0]) == len(left) and len(lowered[1]) == len(right)
    matcher = SequenceMatcher(None, *(lowered if same_lengths else (left, right)), autojunk=False)
    left_parts: list[Segment] = []
    right_parts: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            left_parts.append(Segment(left[i1:i2], tag != "equal"))
        if j2 > j1:
            right_parts.append(Segment(right[j1:j2], tag != "equal"))
    return tuple(left_parts), tuple(right_parts)


def _id_segments(national_id: str, detail: dict[str, Any]) -> tuple[Segment, ...]:
    """A 12-digit ID cut as PPP G YY RRRRRR, marking the digits that contradict the record."""
    if len(national_id) != 12 or not national_id.isdigit():
        return _plain(national_id, True)
    gender_wrong = bool(detail.get("record_gender")) and detail.get("id_gender") != detail.get("record_gender")
    year_wrong = bool(detail.get("record_birth_year")) and detail.get("id_birth_year") != detail.get(
        "record_birth_year"
    )
    century_wrong = year_wrong and str(detail.get("id_birth_year", ""))[:2] != str(detail.get("record_birth_year"))[:2]
    return (
        Segment(national_id[:3], False),
        Segment(national_id[3], gender_wrong or century_wrong),
        Segment(national_id[4:6], year_wrong),
        Segment(national_id[6:], False),
    )


def _gender(t: Translator, value: object) -> str:
    return t(f"gender_{value}") if value in ("M", "F") else str(value or "")


def _date_text(value: object, precision: object) -> str:
    text = "" if value is None else str(value)
    if precision == "year":
        return text[:4]
    if precision == "month":
        return text[:7]
    return text


def compare(record: MismatchRecord, person: RegisterPerson | None, t: Translator) -> list[FieldComparison]:
    """One row per compared field: the sector's value, the register's, and what differs."""
    details = record.details
    rows: list[FieldComparison] = []

    id_detail = details.get("national_id") or {}
    sector_id = record.national_id or ""
    register_id = person.national_id if person else (record.linked_national_id or "")
    if id_detail.get("kind") == "cccd" and id_detail.get("likely_typo"):
        rows.append(
            FieldComparison("national_id", _id_segments(sector_id, id_detail), _plain(register_id), True, "likely_typo")
        )
    elif sector_id and register_id and len(sector_id) == len(register_id):
        left, right = diff_segments(sector_id, register_id)
        rows.append(FieldComparison("national_id", left, right, sector_id != register_id))
    else:
        rows.append(FieldComparison("national_id", _plain(sector_id, True), _plain(register_id), bool(id_detail)))

    name = details.get("full_name")
    if name:
        left, right = diff_segments(str(name.get("sector") or ""), str(name.get("register") or ""))
        rows.append(FieldComparison("full_name", left, right, True))
    elif person:
        rows.append(FieldComparison("full_name", (), _plain(person.full_name), False, sector_same_as_register=True))

    birth = details.get("birth_date")
    if birth:
        sector_text = str(birth.get("sector") or "")
        register_text = _date_text(birth.get("register"), birth.get("register_precision"))
        left, right = diff_segments(sector_text, register_text)
        note = f"{birth.get('sector_precision') or '-'} / {birth.get('register_precision') or '-'}"
        rows.append(FieldComparison("birth_date", left, right, True, note))
    elif person:
        register_text = _date_text(person.birth_date, person.birth_date_precision)
        rows.append(FieldComparison("birth_date", (), _plain(register_text), False, sector_same_as_register=True))

    gender = details.get("gender")
    if gender:
        sector_text = str(gender.get("sector") or "")
        mapped = gender.get("mapped")
        if mapped:
            sector_text = f"{sector_text} → {_gender(t, mapped)}"
        register_text = _gender(t, gender.get("register"))
        rows.append(FieldComparison("gender", _plain(sector_text, True), _plain(register_text), True))
    elif person:
        rows.append(
            FieldComparison("gender", (), _plain(_gender(t, person.gender)), False, sector_same_as_register=True)
        )

    deceased = details.get("deceased")
    if deceased is not None:
        died = str(deceased.get("date_of_death") or "") if isinstance(deceased, dict) else ""
        rows.append(
            FieldComparison("deceased", _plain(t("record_active"), True), _plain(f"† {died}".strip(), True), True)
        )
    elif person and person.is_deceased:
        died = str(person.date_of_death or "")
        rows.append(FieldComparison("deceased", (), _plain(f"† {died}".strip()), False, sector_same_as_register=True))
    return rows
