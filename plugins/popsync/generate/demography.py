"""Population structure: province shares, age pyramid and the core draws of each person.

The core draws (birth province, gender, birth date) come first from their own random
stream, so the ID planning pass can repeat them cheaply without drawing anything else.
"""

import datetime
from dataclasses import dataclass
from typing import Final

import numpy as np

from popsync.domain.provinces import PROVINCE_CODES

# Approximate population in millions (2019 census), in PROVINCE_CODES order.
_POPULATION: Final[dict[str, float]] = {
    "001": 8.05, "002": 0.85, "004": 0.53, "006": 0.31, "008": 0.78, "010": 0.73,
    "011": 0.60, "012": 0.46, "014": 1.25, "015": 0.82, "017": 0.85, "019": 1.29,
    "020": 0.78, "022": 1.32, "024": 1.80, "025": 1.46, "026": 1.15, "027": 1.37,
    "030": 1.89, "031": 2.03, "033": 1.25, "034": 1.86, "035": 0.85, "036": 1.78,
    "037": 0.98, "038": 3.64, "040": 3.33, "042": 1.29, "044": 0.90, "045": 0.63,
    "046": 1.13, "048": 1.13, "049": 1.50, "051": 1.23, "052": 1.49, "054": 0.96,
    "056": 1.23, "058": 0.59, "060": 1.23, "062": 0.54, "064": 1.51, "066": 1.87,
    "067": 0.62, "068": 1.30, "070": 0.99, "072": 1.17, "074": 2.43, "075": 3.10,
    "077": 1.15, "079": 8.99, "080": 1.69, "082": 1.76, "083": 1.29, "084": 1.01,
    "086": 1.02, "087": 1.60, "089": 1.91, "091": 1.72, "092": 1.24, "093": 0.73,
    "094": 1.20, "095": 0.91, "096": 1.19,
}  # fmt: skip

PROVINCE_P: Final[np.ndarray] = np.array([_POPULATION[code] for code in PROVINCE_CODES]) / sum(_POPULATION.values())
PROVINCE_ARRAY: Final[np.ndarray] = np.array(PROVINCE_CODES, dtype=object)

MAX_AGE: Final = 100


def _age_weights() -> np.ndarray:
    """Relative share of each age 0..100 (a Vietnam-like pyramid)."""
    bands = ((15, 1.6), (25, 1.45), (45, 1.6), (60, 1.25), (70, 0.9), (80, 0.45), (90, 0.18), (101, 0.04))
    weights = np.empty(MAX_AGE + 1)
    low = 0
    for high, weight in bands:
        weights[low:high] = weight
        low = high
    return np.asarray(weights / weights.sum())


AGE_P: Final[np.ndarray] = _age_weights()

DAY, MONTH, YEAR = 0, 1, 2
"""Birth-date precisions."""

RECENT_BIRTH_GAP: Final = 7
"""Nobody is born in the last week before the generation date, so a pipeline run whose
logical date is a few days earlier still finds every birth date valid."""

_EPOCH: Final = datetime.date(1970, 1, 1)


def epoch_days(day: datetime.date) -> int:
    """Days since 1970-01-01 (numpy's datetime64[D] origin)."""
    return (day - _EPOCH).days


@dataclass(frozen=True)
class DateParts:
    """Calendar parts of an array of epoch days."""

    year: np.ndarray
    month: np.ndarray
    day: np.ndarray


def date_parts(days: np.ndarray) -> DateParts:
    """Split epoch days into year, month (1-12) and day (1-31) arrays."""
    as_dates = days.astype("datetime64[D]")
    years = as_dates.astype("datetime64[Y]")
    months = as_dates.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (as_dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return DateParts(year, month, day)


def exact_age(parts: DateParts, as_of: datetime.date) -> np.ndarray:
    """Completed years of age at ``as_of``."""
    before_birthday = (parts.month > as_of.month) | ((parts.month == as_of.month) & (parts.day > as_of.day))
    return np.asarray(as_of.year - parts.year - before_birthday.astype(np.int64))


@dataclass(frozen=True)
class CoreDraws:
    """The draws that decide a person's ID: birth province, gender and birth date."""

    province: np.ndarray  # index into PROVINCE_CODES
    female: np.ndarray  # bool
    birth: np.ndarray  # epoch days
    birth_parts: DateParts


def draw_core(rng: np.random.Generator, count: int, as_of: datetime.date) -> CoreDraws:
    """Birth province, gender and birth date of ``count`` people (always drawn in this order)."""
    province = rng.choice(len(PROVINCE_CODES), size=count, p=PROVINCE_P)
    female = rng.random(count) < 0.505
    age = rng.choice(MAX_AGE + 1, size=count, p=AGE_P)
    offset = rng.integers(RECENT_BIRTH_GAP, 365 + RECENT_BIRTH_GAP, size=count)
    birth = epoch_days(as_of) - np.rint(age * 365.2425).astype(np.int64) - offset
    return CoreDraws(province, female, birth, date_parts(birth))


def draw_birth_in_ages(
    rng: np.random.Generator, count: int, as_of: datetime.date, min_age: int, max_age: int
) -> np.ndarray:
    """Epoch birth days of people aged ``min_age``..``max_age`` (uniform within the range)."""
    newest = epoch_days(as_of) - int(min_age * 365.2425) - RECENT_BIRTH_GAP
    oldest = epoch_days(as_of) - int((max_age + 1) * 365.2425) + 1
    return rng.integers(oldest, newest + 1, size=count)


HEAPED_SHARE: Final = ((40, 0.03), (60, 0.06), (75, 0.10))
"""Share of people (by minimum age) whose registered full birth date is 01/01 of their birth year.

../shared/DOMAIN.md: "some systems fill unknown day and month with 01/01". The shares are an
assumption (day heaping grows with age: birth dates of the elderly were often not recorded and
were registered as 1 January); heaping makes name, birth date and gender twins more frequent."""


def heap_birth_days(rng: np.random.Generator, birth: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Birth days moved to 1 January of the same year for a share of the older people (the year,
    and so the ID, is unchanged)."""
    share = np.zeros(len(birth))
    for min_age, value in HEAPED_SHARE:
        share = np.where(age >= min_age, value, share)
    heaped = rng.random(len(birth)) < share
    first_of_year = birth.astype("datetime64[D]").astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    return np.asarray(np.where(heaped, first_of_year, birth))
