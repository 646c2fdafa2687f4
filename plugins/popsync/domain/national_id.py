"""The 12-digit personal ID number: layout ``PPP G YY RRRRRR`` (Decree 137/2015/NĐ-CP, art. 13).

The pipeline validates IDs set-based in ``include/sql/duckdb/normalise.sql``; this decoder
lets tests check generated IDs against the same layout.
"""

from dataclasses import dataclass
from typing import Literal

from popsync.domain.provinces import PROVINCES

Gender = Literal["M", "F"]

_FIRST_CENTURY = 1900


@dataclass(frozen=True)
class DecodedId:
    """What the digits of a well-formed 12-digit ID say about its holder."""

    province_code: str
    gender: Gender
    birth_year: int


def decode_national_id(national_id: str) -> DecodedId | None:
    """Decode a well-formed 12-digit ID, or return None when it is not one."""
    if len(national_id) != 12 or not national_id.isdigit() or national_id[:3] not in PROVINCES:
        return None
    digit = int(national_id[3])
    century = _FIRST_CENTURY + digit // 2 * 100
    gender: Gender = "F" if digit % 2 else "M"
    return DecodedId(national_id[:3], gender, century + int(national_id[4:6]))
