"""One dataset's records for one chunk of people: members, injected faults, expected reasons.

Clean records are built column-wise; only records with a fault (or a reason of their own,
such as a deceased person's active record) go through the per-record path, which injects
the faults and derives the reasons the rules give (docs/reconciliation-rules.md).
"""

import datetime
import random
from dataclasses import dataclass, fields
from typing import Final

import numpy as np

from popsync.domain.provinces import PROVINCE_CODES
from popsync.generate.demography import DAY, PROVINCE_P, date_parts, draw_birth_in_ages
from popsync.generate.demography import exact_age as age_at
from popsync.generate.faulter import DUPLICATE, FAMILIES, Outcome, PersonView, RecordFaulter, fault_probabilities
from popsync.generate.formats import array_literal, format_date, format_dates
from popsync.generate.ids import (
    REGISTER_SERIALS,
    SERIAL_STEP,
    IdScheme,
    century_gender,
    format_ids,
    id_numbers,
)
from popsync.generate.options import FaultRates
from popsync.generate.population import PersonChunk, draw_names
from popsync.generate.spec import DatasetSpec

NOT_IN_REGISTER_SHARE: Final = 0.01


@dataclass(frozen=True)
class ChunkSlots:
    """Number ranges reserved for one chunk, so chunks can be generated independently.

    Records that are not a person's first record (duplicate copies, people outside the
    register) take key indexes above all persons, unknown CMNDs and the serials of people
    outside the register take per-chunk ranges: keys and IDs stay unique per dataset.
    """

    seed: int
    number: int
    chunk_size: int
    chunks: int
    total_persons: int

    @property
    def synthetic_base(self) -> int:
        return self.total_persons + self.number * 2 * self.chunk_size

    @property
    def unknown_cmnd_base(self) -> int:
        return self.number * self.chunk_size

    @property
    def outsider_serials(self) -> int:
        """Serials per province reserved for this chunk's people outside the register."""
        return REGISTER_SERIALS // self.chunks


@dataclass(frozen=True)
class Records:
    """The records of one dataset for one chunk (text values as written, None for NULL)."""

    key_index: np.ndarray  # unique per dataset: the person's index, or total persons + synthetic counter
    person_index: np.ndarray  # the person's index (the key index for people outside the register)
    active: np.ndarray
    birth: np.ndarray  # epoch days
    age: np.ndarray
    female: np.ndarray
    province: np.ndarray  # birth-registration province index
    residence: np.ndarray
    deceased: np.ndarray
    death: np.ndarray
    national_id: list[str | None]
    full_name: list[str]
    birth_date: list[str]
    gender: list[str]
    reasons: list[str]  # text[] literal
    linked: list[str | None]
    suggested: list[str | None]  # expected suggested national ID of a record that does not link
    suggestion_method: list[str | None]
    probe: list[tuple[str, bool, datetime.date, str] | None]
    """Name, female, birth date and precision (as written) of records the rules may suggest a person
    for by name, birth date and gender: checked against the whole register after generation."""
    true_national_id: list[str | None]  # the register person the record is about (None: outside the register)
    beyond_rules: list[str | None]  # the fault family beyond the rules applied, if any

    def __len__(self) -> int:
        return len(self.key_index)


def _clean_birth_dates(
    faulter: RecordFaulter, persons: PersonChunk, members: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """Birth dates of clean records and which ones the dataset cannot write at their precision."""
    precision = persons.precision[members]
    year, month, day = (
        part[members].tolist() for part in (persons.stored.year, persons.stored.month, persons.stored.day)
    )
    texts = format_dates(faulter.spec.day_format, year, month, day)
    natural = np.zeros(len(members), dtype=bool)
    for i in np.flatnonzero(precision != DAY).tolist():
        texts[i], natural[i] = faulter.birth_text(int(precision[i]), year[i], month[i], day[i])
    return texts, natural


def build_records(
    spec: DatasetSpec,
    persons: PersonChunk,
    rng: np.random.Generator,
    *,
    rates: FaultRates,
    coverage: float,
    scheme: IdScheme,
    slots: ChunkSlots,
    as_of: datetime.date,
) -> Records:
    """Members of this chunk (with faults and duplicate copies) plus people outside the register."""
    probability = min(1.0, spec.membership * coverage)
    members = np.flatnonzero(spec.eligible(persons.age, persons.female) & (rng.random(len(persons)) < probability))
    count = len(members)
    deceased = persons.deceased[members]
    active = np.where(deceased, rng.random(count) < rates.deceased_active, rng.random(count) < spec.active_share)
    if not spec.has_active:
        active[:] = False
    flags = rng.random((count, len(FAMILIES))) < fault_probabilities(spec, rates)
    faulter = RecordFaulter(spec, scheme, random.Random(int(rng.integers(2**62))), as_of, slots.unknown_cmnd_base)

    national_id: list[str | None] = persons.national_id[members].tolist()
    register_names: list[str] = persons.full_name[members].tolist()
    full_name = [faulter.style(name) for name in register_names]
    birth_date, natural = _clean_birth_dates(faulter, persons, members)
    female = persons.female[members]
    gender = np.where(female, spec.female, spec.male).tolist()
    reasons: list[list[str]] = [[] for _ in range(count)]
    linked = [True] * count
    suggested: list[str | None] = [None] * count
    suggestion_method: list[str | None] = [None] * count
    probe: list[tuple[str, bool, datetime.date, str] | None] = [None] * count
    beyond: list[str | None] = [None] * count

    slow = flags.any(axis=1) | natural | (deceased & active)
    copies: list[tuple[int, Outcome]] = []
    stored = persons.stored
    for i in np.flatnonzero(slow).tolist():
        row = int(members[i])
        person = PersonView(
            national_id=str(persons.national_id[row]),
            cmnd=int(persons.former_cmnd[row]),
            name=register_names[i],
            female=bool(female[i]),
            precision=int(persons.precision[row]),
            year=int(stored.year[row]),
            month=int(stored.month[row]),
            day=int(stored.day[row]),
            deceased=bool(deceased[i]),
            cmnd_shared=bool(persons.cmnd_shared[row]),
        )
        outcome = faulter.record(person, flags[i], bool(active[i]))
        national_id[i] = outcome.national_id
        full_name[i] = outcome.name
        birth_date[i] = outcome.birth_date
        gender[i] = outcome.gender
        reasons[i] = outcome.reasons
        linked[i] = outcome.linked
        beyond[i] = outcome.beyond_rules
        if outcome.suggestion is not None:
            suggested[i], suggestion_method[i] = outcome.suggestion[0], str(outcome.suggestion[1])
            if outcome.record_birth is not None and outcome.suggestion[1] == "name_birth_gender":
                probe[i] = (outcome.search_name or person.name, person.female, *outcome.record_birth)
        probe[i] = probe[i] or outcome.stranger_probe
        if flags[i, DUPLICATE]:
            copies.append((i, faulter.copy(person, bool(active[i]), outcome.linked)))
            if outcome.linked:
                reasons[i].append("DUPLICATE_ID")

    person_ids: list[str] = persons.national_id[members].tolist()
    linked_ids: list[str | None] = [nid if ok else None for nid, ok in zip(person_ids, linked, strict=True)]
    copy_positions = np.array([i for i, _ in copies], dtype=np.int64)
    for i, outcome in copies:
        national_id.append(outcome.national_id)
        full_name.append(outcome.name)
        birth_date.append(outcome.birth_date)
        gender.append(outcome.gender)
        reasons.append(outcome.reasons)
        linked_ids.append(person_ids[i])
        suggested.append(None)
        suggestion_method.append(None)
        probe.append(None)
        beyond.append(None)

    _mark_shared_unlinked_ids(national_id, reasons, linked_ids)
    source = np.concatenate([members, members[copy_positions]])
    key_index = np.concatenate([persons.index[members], slots.synthetic_base + np.arange(len(copies))])
    base = Records(
        key_index=key_index,
        person_index=persons.index[source],
        active=np.concatenate([active, active[copy_positions]]),
        birth=persons.birth[source],
        age=persons.age[source],
        female=persons.female[source],
        province=persons.province[source],
        residence=persons.residence[source],
        deceased=persons.deceased[source],
        death=persons.death[source],
        national_id=national_id,
        full_name=full_name,
        birth_date=birth_date,
        gender=gender,
        reasons=[array_literal(sorted(codes)) for codes in reasons],
        linked=linked_ids,
        suggested=suggested,
        suggestion_method=suggestion_method,
        probe=probe,
        true_national_id=[*person_ids, *(person_ids[i] for i, _ in copies)],
        beyond_rules=beyond,
    )
    outsiders = _outsiders(spec, rng, count, slots, slots.synthetic_base + len(copies), as_of, faulter)
    return _concat(base, outsiders)


def _mark_shared_unlinked_ids(
    national_id: list[str | None], reasons: list[list[str]], linked_ids: list[str | None]
) -> None:
    """DUPLICATE_ID on records that do not link but share a well-formed ID (a former CMND two
    register persons hold, used by both in this dataset). Such IDs are only shared inside a chunk."""
    unlinked: dict[str, list[int]] = {}
    for k, (text, codes, link) in enumerate(zip(national_id, reasons, linked_ids, strict=True)):
        if link is None and "NOT_IN_REFERENCE" in codes and text is not None:
            unlinked.setdefault("".join(ch for ch in text if ch.isdigit()), []).append(k)
    for positions in unlinked.values():
        if len(positions) > 1:
            for k in positions:
                if "DUPLICATE_ID" not in reasons[k]:
                    reasons[k].append("DUPLICATE_ID")


def _outsiders(
    spec: DatasetSpec,
    rng: np.random.Generator,
    members: int,
    slots: ChunkSlots,
    first_key: int,
    as_of: datetime.date,
    faulter: RecordFaulter,
) -> Records:
    """Records of people who are not in the register: well-formed IDs with serials >= 500000."""
    count = int(rng.binomial(members, NOT_IN_REGISTER_SHARE / (1 - NOT_IN_REGISTER_SHARE))) if members else 0
    female = rng.random(count) < 0.5
    birth = draw_birth_in_ages(rng, count, as_of, spec.min_age, spec.max_age)
    if spec.female_min_age is not None:
        female_birth = draw_birth_in_ages(rng, count, as_of, spec.female_min_age, spec.max_age)
        birth = np.where(female, female_birth, birth)
    province = rng.choice(len(PROVINCE_CODES), size=count, p=PROVINCE_P)
    full_names = draw_names(rng, female, date_parts(birth).year).tolist()
    active = rng.random(count) < spec.active_share
    order = np.argsort(province, kind="stable")
    ordered = province[order]
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.arange(count) - np.searchsorted(ordered, ordered, side="left")
    if count and int(rank.max()) >= slots.outsider_serials:
        raise ValueError("chunk_size is too small for this many persons: use larger chunks")
    salts = np.random.default_rng([slots.seed, 0xFAB, spec.stream]).integers(0, REGISTER_SERIALS, len(PROVINCE_CODES))
    position = slots.number * slots.outsider_serials + rank
    serial = REGISTER_SERIALS + (position * SERIAL_STEP + salts[province]) % REGISTER_SERIALS
    parts = date_parts(birth)
    ids: list[str | None] = list(
        format_ids(id_numbers(province, century_gender(parts.year, female), parts.year, serial))
    )
    key_index = first_key + np.arange(count, dtype=np.int64)
    years, months, days = parts.year.tolist(), parts.month.tolist(), parts.day.tolist()
    return Records(
        key_index=key_index,
        person_index=key_index,
        active=active,
        birth=birth,
        age=age_at(parts, as_of),
        female=female,
        province=province,
        residence=province,
        deceased=np.zeros(count, dtype=bool),
        death=np.zeros(count, dtype=np.int64),
        national_id=ids,
        full_name=[faulter.style(name) for name in full_names],
        birth_date=[format_date(spec.day_format, y, m, d) for y, m, d in zip(years, months, days, strict=True)],
        gender=[faulter.gender_text(bool(f)) for f in female.tolist()],
        reasons=["{NOT_IN_REFERENCE}"] * count,
        linked=[None] * count,
        suggested=[None] * count,
        suggestion_method=[None] * count,
        probe=[
            (name, bool(f), datetime.date(y, m, d), "day")
            for name, f, y, m, d in zip(full_names, female.tolist(), years, months, days, strict=True)
        ],
        true_national_id=[None] * count,
        beyond_rules=[None] * count,
    )


def _concat(first: Records, second: Records) -> Records:
    values: dict[str, object] = {}
    for item in fields(Records):
        a, b = getattr(first, item.name), getattr(second, item.name)
        values[item.name] = np.concatenate([a, b]) if isinstance(a, np.ndarray) else a + b
    return Records(**values)  # type: ignore[arg-type]
