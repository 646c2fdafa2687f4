"""An independent, record-at-a-time reading of docs/reconciliation-rules.md.

The tests evaluate generated data with it and compare against the generator's ground
truth, so the generator's expected reasons are checked against the rules as written and
not only against the generator's own idea of what it injected.

It uses none of the engine's name repairs: look-alikes are folded with its own table, and a
name is an encoding accident when it *is* the register name written by one of the families
the rules list (the forward direction: encode the register name every way the rules name and
compare), not when the engine's repair finds the register name in it.
"""

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from popsync.domain.legacy_encodings import encode_mojibake
from popsync.domain.name_repairs import encode_cp1258, encode_utf8_misread, encode_viqr
from popsync.domain.provinces import PROVINCES
from popsync.generate.names import to_new_style, to_old_style


@dataclass(frozen=True)
class Person:
    national_id: str
    former_cmnd: str | None
    full_name: str
    birth_date: datetime.date | None
    precision: str
    gender: str
    is_deceased: bool
    date_of_death: datetime.date | None = None


@dataclass(frozen=True)
class Record:
    source_key: str
    national_id: str | None
    full_name: str | None
    birth_date: str | None
    gender: str | None
    is_active: bool | None
    death_date: str | None = None  # a death registration's date of death, YYYY-MM-DD


_STRIP_ID = re.compile(r"[\s\u00a0.\-]")


def id_kind(raw: str | None) -> tuple[str, str]:
    text = _STRIP_ID.sub("", raw or "")
    if not text:
        return "missing", text
    if text.isascii() and text.isdigit() and len(text) == 12 and text[:3] in PROVINCES:
        return "cccd", text
    if text.isascii() and text.isdigit() and len(text) == 9:
        return "cmnd", text
    return "invalid", text


_OLD_STYLE = {
    unicodedata.normalize("NFC", first + tone) + second: first + unicodedata.normalize("NFC", second + tone)
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for tone in ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
}


# The rules' look-alike families, written out here from the rules' table (not the engine's list).
_FOLD = {
    **dict.fromkeys("\u00d0\u0189", "Đ"),
    **dict.fromkeys("\u00f0\u0256", "đ"),
    **dict(zip("АВЕКМНОРСТХІЈЅУ", "ABEKMHOPCTXIJSY", strict=True)),
    **dict(zip("аеорсухіјѕԁ", "aeopcyxijsd", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧο", "ABEZHIKMNOPTYXo", strict=True)),
}


def _fold(text: str) -> str:
    """Look-alikes to their letter, full-width letters (NFKC), spaces of every kind to a space, invisibles dropped."""
    out = []
    for char in text:
        if unicodedata.category(char) == "Cf" or char in "\u034f\u180e":
            continue
        if char.isspace():
            out.append(" ")
        elif "\uff21" <= char <= "\uff5a":
            out.append(unicodedata.normalize("NFKC", char))
        else:
            out.append(_FOLD.get(char, char))
    return "".join(out)


def name_key(name: str | None) -> str:
    text = unicodedata.normalize("NFC", _fold(name or ""))
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    text = " ".join(text.lower().split())
    for old, new in _OLD_STYLE.items():
        text = text.replace(old, new)
    return text


def _toggled(name: str) -> set[str]:
    """The name in both tone-mark styles."""
    return {name, to_new_style(name), to_old_style(name)}


def _written(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def encodings_of(register_name: str) -> set[str]:
    """Every way the rules' encoding families write the name (either tone style, as is or upper case)."""
    out: set[str] = set()
    for styled in _toggled(register_name):
        for base in (styled, styled.upper()):
            out |= {encode_mojibake(base, "tcvn3"), encode_mojibake(base, "tcvn3", lower_codes=True)}
            out |= {encode_mojibake(base, "vni"), encode_viqr(base)}
            out |= {encode_mojibake(base, "tcvn3").upper(), encode_mojibake(base, "vni").upper()}
            for flag in (False, True):
                out.add(encode_cp1258(base, decomposed=flag))
                out.add(encode_cp1258(base, decomposed=flag, latin1=True))
                for form in (base, unicodedata.normalize("NFD", base)):  # UTF-8 of an NFD name differs
                    out.add(encode_utf8_misread(form, times=1 if flag else 2))
                    out.add(encode_utf8_misread(form, times=1 if flag else 2, latin1=True))
    return {_written(text) for text in out}


def _name_code(sector_name: str | None, register_name: str) -> str | None:
    sector_key, register_key = name_key(sector_name), name_key(register_name)
    if sector_key == register_key:
        return None
    if _written(sector_name or "") in encodings_of(register_name):
        return "NAME_ENCODING"
    if without_diacritics(sector_key) == without_diacritics(register_key):
        return "NAME_DIACRITICS"
    return "NAME_MISMATCH"


def without_diacritics(key: str) -> str:
    decomposed = unicodedata.normalize("NFD", key.replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_PATTERNS = {
    "dd/mm/yyyy": (r"(\d{1,2})/(\d{1,2})/(\d{4})", ("d", "m", "y"), "day"),
    "yyyy-mm-dd": (r"(\d{4})-(\d{2})-(\d{2})", ("y", "m", "d"), "day"),
    "yyyymmdd": (r"(\d{4})(\d{2})(\d{2})", ("y", "m", "d"), "day"),
    "mm/yyyy": (r"(\d{1,2})/(\d{4})", ("m", "y"), "month"),
    "yyyymm00": (r"(\d{4})(\d{2})00", ("y", "m"), "month"),
    "yyyy": (r"(\d{4})", ("y",), "year"),
    "yyyy0000": (r"(\d{4})0000", ("y",), "year"),
}


def parse_birth_date(
    raw: str | None, formats: Iterable[str], logical_date: datetime.date
) -> tuple[datetime.date, str] | None:
    """(date, precision), or None when invalid."""
    text = (raw or "").strip()
    for fmt in formats:
        pattern, order, precision = _PATTERNS[fmt]
        match = re.fullmatch(pattern, text)
        if match is None:
            continue
        parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
        try:
            value = datetime.date(parts["y"], parts.get("m", 1), parts.get("d", 1))
        except ValueError:
            return None
        if value.year < 1900 or value > logical_date:
            return None
        return value, precision
    return None


def _truncate(value: datetime.date, precision: str) -> tuple[int, ...]:
    return {"day": (value.year, value.month, value.day), "month": (value.year, value.month), "year": (value.year,)}[
        precision
    ]


def _coarser(a: str, b: str) -> str:
    order = ("day", "month", "year")
    return max(a, b, key=order.index)


def evaluate(
    records: list[Record],
    register: Mapping[str, Person],
    formats: tuple[str, ...],
    genders: Mapping[str, str],
    checks_deceased: bool,
    logical_date: datetime.date,
    checks_death: bool = False,
) -> dict[str, tuple[tuple[str, ...], str | None]]:
    """source_key -> (sorted reasons, linked national ID)."""
    by_cmnd: dict[str, list[Person]] = {}
    for holder in register.values():
        if holder.former_cmnd:
            by_cmnd.setdefault(holder.former_cmnd, []).append(holder)
    gender_map = {key.strip().lower(): value for key, value in genders.items()}

    linked: dict[str, Person | None] = {}
    resolved: dict[str, str | None] = {}
    kinds: dict[str, str] = {}
    for record in records:
        kind, text = id_kind(record.national_id)
        person: Person | None = None
        if kind == "cccd":
            person = register.get(text)
        elif kind == "cmnd" and len(by_cmnd.get(text, [])) == 1:
            person = by_cmnd[text][0]
        kinds[record.source_key] = kind
        linked[record.source_key] = person
        resolved[record.source_key] = person.national_id if person else (text if kind in ("cccd", "cmnd") else None)
    sharing = Counter(value for value in resolved.values() if value is not None)

    result: dict[str, tuple[tuple[str, ...], str | None]] = {}
    for record in records:
        key = record.source_key
        kind, match = kinds[key], linked[key]
        reasons: list[str] = []
        reasons += {"missing": ["MISSING_ID"], "invalid": ["INVALID_ID"], "cmnd": ["LEGACY_ID"]}.get(kind, [])
        if kind in ("cccd", "cmnd") and match is None:
            reasons.append("NOT_IN_REFERENCE")
        resolved_id = resolved[key]
        if resolved_id is not None and sharing[resolved_id] > 1:
            reasons.append("DUPLICATE_ID")
        birth = parse_birth_date(record.birth_date, formats, logical_date)
        if birth is None:
            reasons.append("DOB_INVALID")
        gender = gender_map.get((record.gender or "").strip().lower())
        if gender is None or (match is not None and gender != match.gender):
            reasons.append("GENDER_MISMATCH")
        if match is not None:
            name_code = _name_code(record.full_name, match.full_name)
            if name_code is not None:
                reasons.append(name_code)
            if birth is not None:
                value, precision = birth
                if match.birth_date is None:
                    reasons.append("DOB_MISMATCH")
                else:
                    coarse = _coarser(precision, match.precision)
                    if _truncate(value, coarse) != _truncate(match.birth_date, coarse):
                        reasons.append("DOB_MISMATCH")
                    elif precision != match.precision:
                        reasons.append("DOB_PARTIAL")
            if checks_deceased and record.is_active and match.is_deceased:
                reasons.append("DECEASED")
            if checks_death and not match.is_deceased:
                reasons.append("DEATH_NOT_IN_REGISTER")
            elif checks_death and record.death_date != (match.date_of_death and match.date_of_death.isoformat()):
                reasons.append("DEATH_DATE_MISMATCH")
        result[key] = (tuple(sorted(reasons)), match.national_id if match else None)
    return result
