"""Unique, checkable ID numbers: 12-digit personal IDs, former CMNDs and record codes.

A personal ID is ``PPP G YY RRRRRR``; people sharing ``(PPP, G, YY)`` form a bucket. The
c-th register person of a bucket gets serial ``(c * 7919 + salt) % 500000``, a bijection
on ``[0, 500000)``, so an ID belongs to the register iff its serial is below 500000 and
``inverse(serial) < final count of its bucket``. IDs of people who are not in the
register use serials from 500000 up.
"""

from typing import Final

import numpy as np

from popsync.domain.provinces import PROVINCE_CODES

REGISTER_SERIALS: Final = 500_000
SERIAL_STEP: Final = 7919
_STEP_INVERSE: Final = pow(SERIAL_STEP, -1, REGISTER_SERIALS)
BUCKETS: Final = len(PROVINCE_CODES) * 10 * 100
PROVINCE_NUMBERS: Final[np.ndarray] = np.array([int(code) for code in PROVINCE_CODES], dtype=np.int64)
PROVINCE_INDEX: Final[dict[str, int]] = {code: index for index, code in enumerate(PROVINCE_CODES)}

CMND_SPACE: Final = 450_000_000
"""Former CMNDs of register persons lie in [100000000, 550000000); unknown ones above."""
_CMND_STEP: Final = 104_729  # prime, coprime with CMND_SPACE
CODE_SPACE: Final = 10**10
"""Ten-digit record codes (social-insurance numbers, pupil codes) are bijections of an index."""


def century_gender(birth_year: np.ndarray, female: np.ndarray) -> np.ndarray:
    """The ``G`` digit for each person (1900s 0/1, 2000s 2/3, ...)."""
    return np.asarray((birth_year // 100 - 19) * 2 + female.astype(np.int64))


def bucket_of(province: np.ndarray, digit: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Bucket number of ``(province index, G, YY)``."""
    return np.asarray((province * 10 + digit) * 100 + birth_year % 100)


class IdScheme:
    """Serial salts per bucket and the final number of register persons per bucket."""

    def __init__(self, seed: int) -> None:
        self.salts = np.random.default_rng([seed, 0x1D5]).integers(0, REGISTER_SERIALS, BUCKETS)
        self.final_counts = np.zeros(BUCKETS, dtype=np.int64)

    def assign_serials(self, buckets: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Serials of a chunk's people; ``offsets`` = people per bucket in the earlier chunks."""
        count = len(buckets)
        order = np.argsort(buckets, kind="stable")
        ordered = buckets[order]
        rank = np.empty(count, dtype=np.int64)
        rank[order] = np.arange(count, dtype=np.int64) - np.searchsorted(ordered, ordered, side="left")
        position = offsets[buckets] + rank
        if count and int(position.max()) >= REGISTER_SERIALS:
            raise ValueError("too many people share a province, gender and birth year")
        return np.asarray((position * SERIAL_STEP + self.salts[buckets]) % REGISTER_SERIALS)

    def in_register(self, national_id: str) -> bool:
        """True when a well-formed 12-digit ID belongs to a register person."""
        province = PROVINCE_INDEX.get(national_id[:3])
        serial = int(national_id[6:])
        if province is None or serial >= REGISTER_SERIALS:
            return False
        bucket = (province * 10 + int(national_id[3])) * 100 + int(national_id[4:6])
        position = (serial - int(self.salts[bucket])) * _STEP_INVERSE % REGISTER_SERIALS
        return position < int(self.final_counts[bucket])


def bucket_counts(buckets: np.ndarray) -> np.ndarray:
    """People per bucket."""
    return np.bincount(buckets, minlength=BUCKETS).astype(np.int64)


def typo_of(national_id: str) -> str | None:
    """A mistyped form of an ID: the gender digit flipped or the two year digits swapped.

    Which of the two depends only on the province and serial, and both are involutions,
    so different IDs never give the same typo (None when the swap would change nothing).
    """
    serial = int(national_id[6:])
    if (serial * 40_503 + int(national_id[:3])) % 3:
        return national_id[:3] + str(int(national_id[3]) ^ 1) + national_id[4:]
    if national_id[4] == national_id[5]:
        return None
    return national_id[:4] + national_id[5] + national_id[4] + national_id[6:]


def id_numbers(province: np.ndarray, digit: np.ndarray, birth_year: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """The 12-digit IDs as integers (format with ``:012d``)."""
    return np.asarray(((PROVINCE_NUMBERS[province] * 10 + digit) * 100 + birth_year % 100) * 1_000_000 + serial)


def format_ids(numbers: np.ndarray) -> list[str]:
    """Zero-padded 12-digit strings."""
    return [f"{number:012d}" for number in numbers.tolist()]


def former_cmnd(person_index: np.ndarray, salt: int) -> np.ndarray:
    """Unique 9-digit former CMNDs in [100000000, 550000000) of register persons."""
    return 100_000_000 + (person_index * _CMND_STEP + salt) % CMND_SPACE


def unknown_cmnd(counter: int, salt: int) -> str:
    """The ``counter``-th 9-digit CMND that nobody has, in [550000000, 999999999]."""
    return str(550_000_000 + (counter * _CMND_STEP + salt) % CMND_SPACE)


def ten_digit_codes(index: np.ndarray, step: int, salt: int) -> list[str]:
    """Distinct ten-digit codes for distinct indexes (``step`` must be coprime with 10)."""
    values = (index.astype(np.int64) * step + salt) % CODE_SPACE
    return [f"{value:010d}" for value in values.tolist()]
