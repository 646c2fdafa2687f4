"""The gate's built-in checks as data: one row per check, named like its rule in the sector YAML.

A check reads one *measure* of the run's :class:`Profile` (aggregates computed in the same
DuckDB pass as normalisation, so the gate validates one small row, never the records); its
threshold is ``at_least`` or ``at_most``. Great Expectations compares them
(``quality/suites.py`` turns each check into an expectation on the profile's measure column).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Quality = Literal["đúng", "đủ", "sạch", "sống"]
Bound = Literal["at_least", "at_most"]


@dataclass(frozen=True)
class Profile:
    """Counts of one run's records that the checks need (``include/sql/duckdb/profile.sql``)."""

    total: int
    ids_well_formed: int
    genders_mapped: int
    birth_dates_valid: int
    source_keys_present: int
    full_names_present: int
    keys_repeated: int
    names_garbled: int
    newest_updated_at: datetime | None
    deceased_active: int = 0
    """Records classified DECEASED (active records of deceased persons)."""

    def to_json(self) -> dict[str, Any]:
        data = self.__dict__.copy()
        data["newest_updated_at"] = None if self.newest_updated_at is None else self.newest_updated_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Profile":
        newest = data.get("newest_updated_at")
        values = {key: int(value) for key, value in data.items() if key != "newest_updated_at"}
        return cls(newest_updated_at=None if newest is None else datetime.fromisoformat(newest), **values)


@dataclass(frozen=True)
class CheckContext:
    """What a run knows besides its profile."""

    now: datetime
    previous_total: int | None
    has_updated_at: bool
    checks_deceased: bool
    previous_sync_rate: float | None = None
    """Sync rate of the dataset's published run (None before the first one)."""
    sync_rate: float | None = None
    """This run's sync rate."""


def _share(count: Callable[[Profile], int]) -> Callable[[Profile, CheckContext], float | None]:
    return lambda p, _: None if not p.total else count(p) / p.total


def _row_count_drop(p: Profile, ctx: CheckContext) -> float | None:
    return None if not ctx.previous_total else 1.0 - p.total / ctx.previous_total


def _age_days(p: Profile, ctx: CheckContext) -> float | None:
    newest = p.newest_updated_at
    return None if newest is None else (ctx.now - newest).total_seconds() / 86400


def _sync_rate_drop_points(_: Profile, ctx: CheckContext) -> float | None:
    if ctx.previous_sync_rate is None or ctx.sync_rate is None:
        return None
    return (ctx.previous_sync_rate - ctx.sync_rate) * 100.0


MEASURES: dict[str, Callable[[Profile, CheckContext], float | None]] = {
    "share_ids_well_formed": _share(lambda p: p.ids_well_formed),
    "share_genders_mapped": _share(lambda p: p.genders_mapped),
    "share_birth_dates_valid": _share(lambda p: p.birth_dates_valid),
    "share_source_keys_present": _share(lambda p: p.source_keys_present),
    "share_full_names_present": _share(lambda p: p.full_names_present),
    "share_keys_not_repeated": _share(lambda p: p.total - p.keys_repeated),
    "share_names_garbled": _share(lambda p: p.names_garbled),
    "row_count_drop": _row_count_drop,
    "newest_update_age_days": _age_days,
    "share_deceased_active": _share(lambda p: p.deceased_active),
    "sync_rate_drop_points": _sync_rate_drop_points,
}


@dataclass(frozen=True)
class CheckSpec:
    """One row of the check table."""

    name: str
    quality: Quality
    measure: str
    bound: Bound
    description: str
    applies: Callable[[CheckContext], bool] = lambda _: True


CHECK_TABLE: tuple[CheckSpec, ...] = (
    CheckSpec(
        "id_well_formed", "đúng", "share_ids_well_formed", "at_least",
        "share of IDs that are 12 digits with a known province, or 9-digit CMND",
    ),
    CheckSpec("gender_mapped", "đúng", "share_genders_mapped", "at_least", "share of gender values within the mapping"),
    CheckSpec(
        "birth_date_valid", "đúng", "share_birth_dates_valid", "at_least",
        "share of birth dates parseable in a declared format and not in the future",
    ),
    CheckSpec("source_key_present", "đủ", "share_source_keys_present", "at_least", "share of records with a key"),
    CheckSpec("full_name_present", "đủ", "share_full_names_present", "at_least", "share of records with a name"),
    CheckSpec(
        "row_count_stable", "đủ", "row_count_drop", "at_most",
        "row count drop against the previous successful run, at most",
        lambda ctx: bool(ctx.previous_total),
    ),
    CheckSpec(
        "source_key_unique", "sạch", "share_keys_not_repeated", "at_least",
        "share of records whose source key is not repeated",
    ),
    CheckSpec(
        "names_clean", "sạch", "share_names_garbled", "at_most",
        "share of names with control characters, look-alike letters, unusual or invisible white space, "
        "or an encoding accident the repair recognises, at most",
    ),
    CheckSpec(
        "extract_fresh", "sống", "newest_update_age_days", "at_most",
        "age in days of the newest updated_at, at most", lambda ctx: ctx.has_updated_at,
    ),
    CheckSpec(
        "deceased_not_active", "sống", "share_deceased_active", "at_most",
        "share of active records of deceased persons, at most", lambda ctx: ctx.checks_deceased,
    ),
    CheckSpec(
        "sync_rate_drop", "đúng", "sync_rate_drop_points", "at_most",
        "drop of the sync rate in percentage points against the previous published run, at most",
        lambda ctx: ctx.previous_sync_rate is not None,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Check:
    """A check of the table with the dataset's threshold and severity."""

    name: str
    quality: Quality
    measure: str
    bound: Bound
    threshold: float
    severity: str
    description: str

    @property
    def rule(self) -> str:
        """The rule in words, e.g. ``share_ids_well_formed >= 0.8``."""
        return f"{self.measure} {'>=' if self.bound == 'at_least' else '<='} {self.threshold:g}"


def _threshold(rule: Any) -> tuple[float, str]:
    if hasattr(rule, "max_days"):
        return float(rule.max_days), str(rule.severity)
    return float(rule.threshold), str(rule.severity)


def build_checks(rules: Any, ctx: CheckContext) -> list[Check]:
    """The checks of one run: every row of the table that applies and is not ``off``."""
    checks = []
    for spec in CHECK_TABLE:
        threshold, severity = _threshold(getattr(rules, spec.name))
        if severity != "off" and spec.applies(ctx):
            checks.append(
                Check(spec.name, spec.quality, spec.measure, spec.bound, threshold, severity, spec.description)
            )
    return checks


def measures(checks: list[Check], profile: Profile, ctx: CheckContext) -> dict[str, float]:
    """The profile row GX validates: each check's measure; a measure with nothing to measure is left out
    (its check does not apply to this run)."""
    row = {}
    for check in checks:
        value = MEASURES[check.measure](profile, ctx)
        if value is not None:  # rounded: (0.90 - 0.80) * 100 is 10.000000000000009 in floating point
            row[check.measure] = round(value, 12)
    return row
