"""The register's people, drawn chunk by chunk with vectorised numpy draws."""

import datetime
from dataclasses import dataclass
from typing import Final

import numpy as np

from popsync.domain.provinces import PROVINCE_CODES
from popsync.generate import names
from popsync.generate.collisions import share_cmnds, twin_sources
from popsync.generate.communes import residence_codes, residence_communes
from popsync.generate.demography import (
    DAY,
    MONTH,
    PROVINCE_P,
    YEAR,
    DateParts,
    date_parts,
    draw_core,
    epoch_days,
    exact_age,
    heap_birth_days,
)
from popsync.generate.formats import Column, bool_texts, iso_dates, iso_timestamps
from popsync.generate.ids import IdScheme, bucket_counts, bucket_of, century_gender, format_ids, former_cmnd, id_numbers

CORE_STREAM: Final = 0
REGISTER_STREAM: Final = 1
COLLISION_STREAM: Final = 2
_CMND_SALT: Final = 31_337

_SURNAMES: Final = names.styled_tables(names.SURNAMES)
_MIDDLE: Final = (names.styled_tables(names.MALE_MIDDLE), names.styled_tables(names.FEMALE_MIDDLE))
_MIDDLE2: Final = (names.styled_tables(names.MALE_MIDDLE2), names.styled_tables(names.FEMALE_MIDDLE2))
_GIVEN: Final = (names.styled_tables(names.MALE_GIVEN), names.styled_tables(names.FEMALE_GIVEN))
_PRECISION_NAMES: Final = np.array(["day", "month", "year"], dtype=object)
_GENDER_CODES: Final = np.array(["M", "F"], dtype=object)


def chunk_rng(seed: int, chunk: int, stream: int) -> np.random.Generator:
    """The random generator of one stream of one chunk."""
    return np.random.default_rng([seed, chunk, stream])


_TABLES: Final = {
    "middle": ((names.MALE_MIDDLE, names.MALE_MIDDLE_P), (names.FEMALE_MIDDLE, names.FEMALE_MIDDLE_P)),
    "middle2": ((names.MALE_MIDDLE2, names.MALE_MIDDLE2_P), (names.FEMALE_MIDDLE2, names.FEMALE_MIDDLE2_P)),
    "given": ((names.MALE_GIVEN, names.MALE_GIVEN_P), (names.FEMALE_GIVEN, names.FEMALE_GIVEN_P)),
}
_STYLED: Final = {"middle": _MIDDLE, "middle2": _MIDDLE2, "given": _GIVEN}
_COHORT_P: Final = {
    (part, sex, cohort): names.cohort_weights(table[0], table[1], cohort)
    for part, tables in _TABLES.items()
    for sex, table in enumerate(tables)
    for cohort in range(len(names.COHORT_START_YEARS) + 1)
}


def _pick(
    rng: np.random.Generator, part: str, female: np.ndarray, cohort: np.ndarray, new_style: np.ndarray
) -> np.ndarray:
    """Draw one name part per person from the table of their gender and birth cohort, in their style."""
    out = np.empty(len(female), dtype=object)
    for sex in (0, 1):
        old, new = _STYLED[part][sex]
        for group in range(len(names.COHORT_START_YEARS) + 1):
            rows = np.flatnonzero((female == bool(sex)) & (cohort == group))
            p = _COHORT_P[(part, sex, group)]
            index = rng.choice(len(p), size=len(rows), p=p)
            out[rows] = np.where(new_style[rows], new[index], old[index])
    return out


def draw_names(rng: np.random.Generator, female: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Full names (NFC, title case) by gender and birth cohort (names.FOUR_WORDS, names.ERA_WEIGHT)."""
    count = len(female)
    cohort = names.cohort_of(birth_year)
    new_style = rng.random(count) < 0.30
    surname_index = rng.choice(len(names.SURNAME_P), size=count, p=names.SURNAME_P)
    surname = np.where(new_style, _SURNAMES[1][surname_index], _SURNAMES[0][surname_index])
    middle = _pick(rng, "middle", female, cohort, new_style)
    middle2 = _pick(rng, "middle2", female, cohort, new_style)
    given = _pick(rng, "given", female, cohort, new_style)
    spare = _pick(rng, "given", female, cohort, new_style)
    four = np.asarray(names.FOUR_WORDS)[female.astype(np.int64), cohort]
    shape = rng.random(count)
    two = np.where(female, 0.01, 0.03)
    words = np.where(shape < two, 2, np.where(shape < two + four, 4, 3))
    alternative = np.where(female, "Ngọc", "Minh").astype(object)
    replacement = np.where(middle == alternative, np.where(female, "Bảo", "Quang").astype(object), alternative)
    middle2 = np.where(middle2 == middle, replacement, middle2)
    given = np.where((given == middle) | ((words == 4) & (given == middle2)), spare, given)
    full = surname + " "
    full = np.where(words >= 3, full + middle + " ", full)
    full = np.where(words == 4, full + middle2 + " ", full)
    return np.asarray(full + given, dtype=object)


@dataclass(frozen=True)
class PersonChunk:
    """A chunk of register persons (arrays aligned by position)."""

    index: np.ndarray  # global person index
    province: np.ndarray  # birth-registration province (index into PROVINCE_CODES)
    female: np.ndarray
    birth: np.ndarray  # true birth date, epoch days
    precision: np.ndarray  # DAY / MONTH / YEAR precision of the registered birth date
    stored_days: np.ndarray  # registered birth date (first day of its period), epoch days
    stored: DateParts  # the same, split
    age: np.ndarray
    national_id: np.ndarray  # str objects
    former_cmnd: np.ndarray  # int, 0 = none
    cmnd_shared: np.ndarray  # bool: another register person has the same former CMND
    full_name: np.ndarray  # str objects, NFC, the person's tone-mark style
    residence: np.ndarray
    deceased: np.ndarray
    death: np.ndarray  # epoch days, meaningful where deceased
    updated_at: np.ndarray  # epoch seconds

    def __len__(self) -> int:
        return len(self.index)


def chunk_bucket_counts(seed: int, chunk: int, count: int, as_of: datetime.date) -> np.ndarray:
    """Planning pass: the chunk's people per ID bucket (repeats only the core draws)."""
    core = draw_core(chunk_rng(seed, chunk, CORE_STREAM), count, as_of)
    year = core.birth_parts.year
    return bucket_counts(bucket_of(core.province, century_gender(year, core.female), year))


def make_persons(
    scheme: IdScheme,
    seed: int,
    chunk: int,
    start: int,
    count: int,
    as_of: datetime.date,
    offsets: np.ndarray,
    collisions: float = 0.0,
) -> PersonChunk:
    """Main pass: the full records of one chunk; ``offsets`` = people per bucket in earlier chunks."""
    core = draw_core(chunk_rng(seed, chunk, CORE_STREAM), count, as_of)
    parts = core.birth_parts
    digit = century_gender(parts.year, core.female)
    serial = scheme.assign_serials(bucket_of(core.province, digit, parts.year), offsets)
    national_id = np.array(format_ids(id_numbers(core.province, digit, parts.year, serial)), dtype=object)
    rng = chunk_rng(seed, chunk, REGISTER_STREAM)
    birth = heap_birth_days(rng, core.birth, exact_age(parts, as_of))  # same year: the ID is unchanged
    age = exact_age(date_parts(birth), as_of)
    full_name = draw_names(rng, core.female, parts.year)
    index = np.arange(start, start + count, dtype=np.int64)
    collision_rng = chunk_rng(seed, chunk, COLLISION_STREAM)
    precision_draw = rng.random(count)
    precision = np.where(
        age >= 70, np.where(precision_draw < 0.3, YEAR, np.where(precision_draw < 0.4, MONTH, DAY)), DAY
    )
    twin = twin_sources(collision_rng, core.female, parts.year, collisions)
    birth, precision, full_name, age = birth[twin], precision[twin], full_name[twin], age[twin]
    as_days = birth.astype("datetime64[D]")
    stored_days = np.where(
        precision == YEAR,
        as_days.astype("datetime64[Y]").astype("datetime64[D]"),
        np.where(precision == MONTH, as_days.astype("datetime64[M]").astype("datetime64[D]"), as_days),
    ).astype(np.int64)
    has_cmnd = (age >= 25) & (rng.random(count) < 0.4)
    cmnd, cmnd_shared = share_cmnds(collision_rng, np.where(has_cmnd, former_cmnd(index, _CMND_SALT), 0), collisions)
    moved = rng.random(count) >= 0.85
    residence = np.where(moved, rng.choice(len(PROVINCE_CODES), size=count, p=PROVINCE_P), core.province)
    death_risk = 0.0015 + 0.25 * (np.clip(age, 0, 100) / 100.0) ** 4
    deceased = rng.random(count) < death_risk
    today = epoch_days(as_of)
    earliest = np.maximum(birth, today - 1826)
    death = earliest + np.floor(rng.random(count) * (today - earliest + 1)).astype(np.int64)
    updated_day = np.where(
        deceased, np.minimum(death + rng.integers(0, 60, count), today), today - rng.integers(0, 730, count)
    )
    # Never after the start of as_of: a register holds no changes from the future.
    updated_at = np.minimum(updated_day * 86_400 + rng.integers(0, 86_400, count), today * 86_400 - 1)
    return PersonChunk(
        index=index,
        province=core.province,
        female=core.female,
        birth=birth,
        precision=precision,
        stored_days=stored_days,
        stored=date_parts(stored_days),
        age=age,
        national_id=national_id,
        former_cmnd=cmnd,
        cmnd_shared=cmnd_shared,
        full_name=full_name,
        residence=residence,
        deceased=deceased,
        death=death,
        updated_at=updated_at,
    )


def register_columns(persons: PersonChunk) -> list[Column]:
    """The chunk's rows of ``dan_cu.persons`` as columns (see REGISTER_COLUMNS)."""
    cmnd = [str(value) if value else None for value in persons.former_cmnd.tolist()]
    death = [
        day if dead else None for day, dead in zip(iso_dates(persons.death), persons.deceased.tolist(), strict=True)
    ]
    columns: list[Column] = [
        persons.national_id.tolist(),
        cmnd,
        persons.full_name.tolist(),
        iso_dates(persons.stored_days),
        _PRECISION_NAMES[persons.precision].tolist(),
        _GENDER_CODES[persons.female.astype(np.int64)].tolist(),
        residence_codes(persons.residence, persons.updated_at).tolist(),
        bool_texts(persons.deceased),
        death,
        iso_timestamps(persons.updated_at, utc=True),
        residence_communes(persons.index, persons.residence).tolist(),
    ]
    return columns


REGISTER_COLUMNS: Final = (
    "national_id",
    "former_cmnd",
    "full_name",
    "birth_date",
    "birth_date_precision",
    "gender",
    "residence_province",
    "is_deceased",
    "date_of_death",
    "updated_at",
    "residence_commune",
)
