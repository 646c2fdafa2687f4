"""Residence of the register's people: synthetic communes (five digits: province + 00-19) and
the province code table the register writes (former or current, see ``residence_codes``).

Derived from the person's index, with no random stream of its own: adding the column leaves
every other generated value as it was.
"""

import datetime
from typing import Final

import numpy as np

from popsync.domain.provinces_now import CURRENT_OF, MERGER_DATE
from popsync.generate.demography import PROVINCE_ARRAY

COMMUNES_PER_PROVINCE: Final = 20
_COMMUNE_STEP: Final = 2_654_435_761
_COMMUNE_SALT: Final = 97


def commune_numbers(person_index: np.ndarray) -> np.ndarray:
    """The commune number (0-19) of each person within the residence province."""
    return np.asarray((person_index.astype(np.int64) * _COMMUNE_STEP + _COMMUNE_SALT) % COMMUNES_PER_PROVINCE)


def residence_communes(person_index: np.ndarray, residence: np.ndarray) -> np.ndarray:
    """The five-digit residence commune of each person: province code + its commune number."""
    provinces = PROVINCE_ARRAY[residence].astype(str)
    numbers = np.char.zfill(commune_numbers(person_index).astype(str), 2)
    return np.asarray(np.char.add(provinces, numbers), dtype=object)


_CURRENT_CODES: Final = np.array([CURRENT_OF[code] for code in PROVINCE_ARRAY.tolist()], dtype=object)
_MERGER_SECONDS: Final = int((MERGER_DATE - datetime.date(1970, 1, 1)).days) * 86_400


def residence_codes(residence: np.ndarray, updated_at: np.ndarray) -> np.ndarray:
    """The residence province as the register writes it: a record changed since the 2025 merger
    carries the current province's code, an older one the former province's (both tables occur)."""
    return np.asarray(
        np.where(updated_at >= _MERGER_SECONDS, _CURRENT_CODES[residence], PROVINCE_ARRAY[residence]), dtype=object
    )
