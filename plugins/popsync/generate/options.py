"""Options of the demo-data generator and their validation."""

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Final

SECTOR_DATASETS: Final[dict[str, tuple[str, ...]]] = {
    "education": ("pupils", "teachers"),
    "health_insurance": ("cards",),
    "justice": ("birth_registrations", "death_registrations"),
    "social_insurance": ("participants", "pensioners"),
}
"""The sectors the generator can fill and their datasets (names as in include/sectors)."""

MAX_PERSONS: Final = 100_000_000
"""Above this the ID and code spaces of the generator are no longer guaranteed unique."""


@dataclass(frozen=True)
class FaultRates:
    """Probability of each fault family per sector record (each family drawn independently)."""

    id_missing: float = 0.005
    id_invalid: float = 0.005
    id_formatting: float = 0.03
    id_legacy: float = 0.02
    id_legacy_unknown: float = 0.003
    id_typo: float = 0.005
    duplicate: float = 0.01
    name_changed: float = 0.01
    name_no_diacritics: float = 0.02
    name_mojibake: float = 0.03
    name_tone_style: float = 0.05
    name_spacing: float = 0.02
    dob_changed: float = 0.01
    dob_partial: float = 0.01
    dob_invalid: float = 0.005
    gender_flipped: float = 0.005
    gender_unmappable: float = 0.003
    deceased_active: float = 0.3
    """Share of the records of deceased persons that are still active."""
    name_viqr: float = 0.005
    """Name written in VIQR ("Nguye^~n")."""
    name_cp1258: float = 0.005
    """Name in Windows-1258 (composed or decomposed) read as Windows-1252 or Latin-1."""
    name_utf8_misread: float = 0.01
    """Name in UTF-8 read as Windows-1252 or Latin-1, once or twice ("Nguyá»…n")."""
    name_lookalike: float = 0.005
    """A look-alike character: Ð/Ɖ for Đ, a Cyrillic letter for a Latin one (not a mismatch)."""
    name_invisible: float = 0.01
    """A no-break/ideographic space for a space, or a zero-width character or BOM (not a mismatch)."""
    id_leading_zero: float = 0.003
    """The ID's leading zeros lost (a spreadsheet read it as a number)."""
    id_letter_digit: float = 0.003
    """Letters typed for digits that look alike (O for 0, l for 1, S for 5, B for 8)."""
    name_legacy_utf8: float = 0.001
    """Beyond the rules: a TCVN3/VNI mojibake name later exported as UTF-8 and read as Windows-1252
    (two accidents in a row; expected ``NAME_ENCODING``, scored apart from the rules' families)."""
    name_utf8_thrice: float = 0.001
    """Beyond the rules: UTF-8 read as Windows-1252 three times (expected ``NAME_ENCODING``, scored apart)."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or math.isnan(value) or not 0.0 <= value <= 1.0:
                raise ValueError(f"fault rate {item.name} must be between 0 and 1, got {value!r}")

    @classmethod
    def none(cls) -> "FaultRates":
        """No faults at all: every register-linked record matches."""
        return cls(**{item.name: 0.0 for item in fields(cls)})


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate. The same options and seed always give the same rows."""

    persons: int = 50_000
    """Number of people in the register."""
    seed: int = 6
    sectors: tuple[str, ...] = ("education", "health_insurance", "justice", "social_insurance")
    coverage: Mapping[str, float] = field(default_factory=dict)
    """Multiplier of the membership probability per dataset, keyed ``"sector.dataset"``."""
    rates: FaultRates = field(default_factory=FaultRates)
    replace: bool = False
    """Drop and recreate databases that already exist (otherwise refuse)."""
    as_of: datetime.date = field(default_factory=datetime.date.today)
    """The generation date: ages, card validity and 'future' dates are relative to it."""
    chunk_size: int = 100_000
    """People per streamed chunk; part of the random layout (changing it changes the rows)."""
    collisions: float = 0.0
    """Share of register persons made twins (same name, birth date and gender as another person) and
    of former-CMND holders given another holder's number (see generate.collisions); part of the
    random layout. For tests that need collisions at a small size."""
    workers: int | None = None
    """Processes generating chunks (None: automatic, see stream.default_workers); never changes the rows."""


def dataset_keys(sectors: tuple[str, ...]) -> list[str]:
    """``"sector.dataset"`` keys of the given sectors."""
    return [f"{sector}.{name}" for sector in sectors for name in SECTOR_DATASETS[sector]]


def validate_options(options: GenerateOptions) -> None:
    """Raise ValueError with a clear message when the options cannot be generated."""
    if isinstance(options.persons, bool) or not isinstance(options.persons, int) or options.persons < 0:
        raise ValueError(f"persons must be a non-negative integer, got {options.persons!r}")
    if options.persons > MAX_PERSONS:
        raise ValueError(f"persons must be at most {MAX_PERSONS:,}, got {options.persons:,}")
    if isinstance(options.chunk_size, bool) or not isinstance(options.chunk_size, int) or options.chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {options.chunk_size!r}")
    if options.workers is not None and (
        isinstance(options.workers, bool) or not isinstance(options.workers, int) or options.workers < 1
    ):
        raise ValueError(f"workers must be a positive integer or None, got {options.workers!r}")
    if isinstance(options.seed, bool) or not isinstance(options.seed, int) or options.seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {options.seed!r}")
    if isinstance(options.collisions, bool) or not isinstance(options.collisions, int | float):
        raise ValueError(f"collisions must be a number between 0 and 1, got {options.collisions!r}")
    if math.isnan(options.collisions) or not 0.0 <= options.collisions <= 1.0:
        raise ValueError(f"collisions must be between 0 and 1, got {options.collisions!r}")
    if not isinstance(options.rates, FaultRates):
        raise ValueError("rates must be a FaultRates")
    FaultRates.__post_init__(options.rates)
    unknown = [sector for sector in options.sectors if sector not in SECTOR_DATASETS]
    if unknown:
        raise ValueError(f"unknown sector(s) {unknown}; known sectors: {sorted(SECTOR_DATASETS)}")
    if len(set(options.sectors)) != len(options.sectors):
        raise ValueError(f"sectors listed twice: {list(options.sectors)}")
    known = dataset_keys(options.sectors)
    for key, multiplier in options.coverage.items():
        if key not in known:
            raise ValueError(f"unknown coverage key {key!r}: use one of {known} (sector.dataset of a selected sector)")
        if not isinstance(multiplier, int | float) or math.isnan(multiplier) or multiplier < 0:
            raise ValueError(f"coverage of {key} must be a non-negative number, got {multiplier!r}")
    if not isinstance(options.as_of, datetime.date) or not 2010 <= options.as_of.year <= 2199:
        raise ValueError(f"as_of must be a date in the years 2010-2199, got {options.as_of!r}")
