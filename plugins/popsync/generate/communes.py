"""Synthetic residence communes of the register's people (five digits: province + 00-19).

Derived from the person's index, with no random stream of its own: adding the column leaves
every other generated value as it was.
"""

from typing import Final

import numpy as np

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
