"""Death registrations (``ho_tich.dang_ky_khai_tu``) and the register's residence communes.

Justice departments digitise their civil-status books commune by commune and period by period:
the dataset covers ``COVERED_COMMUNES`` of each province's ``COMMUNES_PER_PROVINCE`` communes, for
deaths in the ``COVERAGE_DAYS`` before the generation date (``ho_tich.pham_vi_so_hoa_khai_tu``).
Within that scope most register deaths are registered; those that are not are the ground truth
of ``sync.unregistered_deaths`` (``ground_truth.unregistered_deaths``). Faults, each with its
expected reasons (docs/reconciliation-rules.md):

- the deceased's former CMND instead of the personal ID: LEGACY_ID (linked through the register);
- a date of death that differs from the register's: DEATH_DATE_MISMATCH;
- a registered death of a person the register shows alive: DEATH_NOT_IN_REGISTER.

Commune codes are synthetic (``popsync.generate.communes``).
"""

import datetime
from dataclasses import dataclass
from typing import Final

import numpy as np

from popsync.generate.communes import commune_numbers, residence_communes
from popsync.generate.demography import DAY, MONTH, PROVINCE_ARRAY, epoch_days
from popsync.generate.formats import Column, format_date, iso_dates, iso_timestamps
from popsync.generate.population import PersonChunk
from popsync.generate.records import Records
from popsync.generate.spec import DatasetSpec
from popsync.sectors.model import DateFormat

DEATH_REGISTRATIONS: Final = "death_registrations"
"""The dataset whose records this module builds (instead of ``records.build_records``)."""
COVERED_COMMUNES: Final = 10
"""Communes numbered below this are digitised (in every province)."""
COVERAGE_DAYS: Final = 1095
"""Deaths of the last three years are digitised; the register's deaths go back five."""
REGISTERED_SHARE: Final = 0.92
"""Share of the register deaths in scope that have a registration."""
LEGACY_ID_SHARE: Final = 0.30
"""Share of registrations of people with a former CMND that carry it instead of the ID."""
DATE_MISMATCH_SHARE: Final = 0.12
ALIVE_SHARE: Final = 0.004
"""Share of living adults in the covered communes with a registered death the register lacks."""
_DAY_SECONDS: Final = 86_400


def _covered(person_index: np.ndarray) -> np.ndarray:
    return np.asarray(commune_numbers(person_index) < COVERED_COMMUNES)


def coverage_period(as_of: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last date of death the digitised books cover."""
    return as_of - datetime.timedelta(days=COVERAGE_DAYS), as_of


def coverage_rows(as_of: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """Rows of ``ho_tich.pham_vi_so_hoa_khai_tu``: every covered commune with the period."""
    start, end = coverage_period(as_of)
    return [
        (f"{province}{number:02d}", start, end)
        for province in PROVINCE_ARRAY.tolist()
        for number in range(COVERED_COMMUNES)
    ]


@dataclass(frozen=True)
class DeathChunk:
    records: Records
    unregistered: list[str]
    """National IDs of register deaths in scope with no registration (ground truth)."""


def _birth_texts(persons: PersonChunk, rows: np.ndarray) -> list[str]:
    """Birth dates at the register's precision: dd/mm/yyyy, mm/yyyy or yyyy."""
    texts = []
    for row in rows.tolist():
        precision = int(persons.precision[row])
        fmt: DateFormat = "dd/mm/yyyy" if precision == DAY else "mm/yyyy" if precision == MONTH else "yyyy"
        year, month, day = (int(part[row]) for part in (persons.stored.year, persons.stored.month, persons.stored.day))
        texts.append(format_date(fmt, year, month, day))
    return texts


def build_death_records(
    spec: DatasetSpec, persons: PersonChunk, rng: np.random.Generator, as_of: datetime.date
) -> DeathChunk:
    """The chunk's death registrations with their expected reasons, and its unregistered deaths."""
    today = epoch_days(as_of)
    start = today - COVERAGE_DAYS
    covered = _covered(persons.index)
    in_scope = persons.deceased & covered & (persons.death >= start) & (persons.death <= today)
    registered = in_scope & (rng.random(len(persons)) < REGISTERED_SHARE)
    unregistered = persons.national_id[in_scope & ~registered].tolist()
    alive = ~persons.deceased & covered & (persons.age >= 30) & (rng.random(len(persons)) < ALIVE_SHARE)
    rows = np.flatnonzero(registered | alive)
    count = len(rows)
    dead = persons.deceased[rows]

    recorded_death = persons.death[rows].copy()
    shifted = dead & (rng.random(count) < DATE_MISMATCH_SHARE)
    shift = rng.integers(1, 31, count) * np.where(rng.random(count) < 0.5, -1, 1)
    moved = np.clip(recorded_death + shift, np.maximum(persons.birth[rows], start), today)
    moved = np.where(
        moved == recorded_death, np.where(recorded_death > start, recorded_death - 1, recorded_death + 1), moved
    )
    recorded_death = np.where(shifted, moved, recorded_death)
    alive_rows = ~dead
    alive_start = np.maximum(persons.birth[rows], start)
    alive_death = alive_start + np.floor(rng.random(count) * np.maximum(today - alive_start, 1)).astype(np.int64)
    recorded_death = np.where(alive_rows, alive_death, recorded_death)

    cmnd = persons.former_cmnd[rows]
    # a former CMND held by two persons never links: such records carry the ID
    legacy = (cmnd != 0) & ~persons.cmnd_shared[rows] & (rng.random(count) < LEGACY_ID_SHARE)
    ids = persons.national_id[rows].tolist()
    national_id: list[str | None] = [
        str(c) if use else nid for nid, c, use in zip(ids, cmnd.tolist(), legacy.tolist(), strict=True)
    ]
    reasons = []
    for is_legacy, is_dead, is_shifted in zip(legacy.tolist(), dead.tolist(), shifted.tolist(), strict=True):
        codes = ["LEGACY_ID"] if is_legacy else []
        if not is_dead:
            codes.append("DEATH_NOT_IN_REGISTER")
        elif is_shifted:
            codes.append("DEATH_DATE_MISMATCH")
        reasons.append("{" + ",".join(sorted(codes)) + "}")
    female = persons.female[rows]
    records = Records(
        key_index=persons.index[rows],
        person_index=persons.index[rows],
        active=np.zeros(count, dtype=bool),
        birth=persons.birth[rows],
        age=persons.age[rows],
        female=female,
        province=persons.province[rows],
        residence=persons.residence[rows],
        deceased=dead,
        death=recorded_death,
        national_id=national_id,
        full_name=persons.full_name[rows].tolist(),
        birth_date=_birth_texts(persons, rows),
        gender=np.where(female, spec.female, spec.male).tolist(),
        reasons=reasons,
        linked=ids,
        suggested=[None] * count,
        suggestion_method=[None] * count,
        probe=[None] * count,
        true_national_id=list(ids),
        beyond_rules=[None] * count,
    )
    return DeathChunk(records, unregistered)


def render_death_registrations(records: Records, rng: np.random.Generator, as_of: datetime.date) -> list[Column]:
    """``ho_tich.dang_ky_khai_tu``: registered within 15 days of the death at the residence commune."""
    count = len(records)
    today = epoch_days(as_of)
    registered = np.minimum(records.death + rng.integers(0, 16, count), today)
    dates = iso_dates(registered)
    communes = residence_communes(records.person_index, records.residence).tolist()
    keys = [
        f"KT/{commune}/{index + 1:09d}/{day[:4]}"
        for commune, index, day in zip(communes, records.key_index.tolist(), dates, strict=True)
    ]
    digitised = registered * _DAY_SECONDS + np.floor(
        rng.random(count) * (today - registered + 1) * _DAY_SECONDS
    ).astype(np.int64)
    return [
        keys,
        records.national_id,
        records.full_name,
        records.birth_date,
        records.gender,
        iso_dates(records.death),
        communes,
        dates,
        iso_timestamps(np.minimum(digitised, today * _DAY_SECONDS)),
    ]
