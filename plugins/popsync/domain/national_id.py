"""The 12-digit personal ID number: layout ``PPP G YY RRRRRR`` (Decree 137/2015/NĐ-CP, art. 13).

These helpers build and decode IDs for the data generator and describe IDs in mismatch
details. The pipeline's own validation runs set-based in ``include/sql/duckdb/normalise.sql``.
"""

from dataclasses import dataclass
from typing import Literal

from popsync.domain.provinces import PROVINCES

Gender = Literal["M", "F"]

_FIRST_CENTURY = 1900
_LAST_CENTURY = 2300


@dataclass(frozen=True)
class DecodedId:
    """What the digits of a well-formed 12-digit ID say about its holder."""

    province_code: str
    gender: Gender
    birth_year: int


def century_gender_digit(birth_year: int, gender: Gender) -> int:
    """Return the ``G`` digit: 1900s male 0 / female 1, 2000s 2/3, ... 2300s 8/9."""
    century = birth_year // 100 * 100
    if not _FIRST_CENTURY <= century <= _LAST_CENTURY:
        raise ValueError(f"birth year {birth_year} is outside the ID scheme (1900-2399)")
    return (century - _FIRST_CENTURY) // 100 * 2 + (1 if gender == "F" else 0)


def build_national_id(province_code: str, birth_year: int, gender: Gender, serial: int) -> str:
    """Compose a 12-digit ID from its parts; ``serial`` is the six random digits."""
    if province_code not in PROVINCES:
        raise ValueError(f"unknown province code {province_code!r}")
    if not 0 <= serial < 1_000_000:
        raise ValueError("serial must have at most six digits")
    digit = century_gender_digit(birth_year, gender)
    return f"{province_code}{digit}{birth_year % 100:02d}{serial:06d}"


def decode_national_id(national_id: str) -> DecodedId | None:
    """Decode a well-formed 12-digit ID, or return None when it is not one."""
    if len(national_id) != 12 or not national_id.isdigit() or national_id[:3] not in PROVINCES:
        return None
    digit = int(national_id[3])
    century = _FIRST_CENTURY + digit // 2 * 100
    gender: Gender = "F" if digit % 2 else "M"
    return DecodedId(national_id[:3], gender, century + int(national_id[4:6]))


def mask_national_id(national_id: str | None) -> str:
    """Mask an ID for logs: keep the province code and the last two digits only."""
    if not national_id:
        return "<empty>"
    if len(national_id) <= 5:
        return "*" * len(national_id)
    return national_id[:3] + "*" * (len(national_id) - 5) + national_id[-2:]
