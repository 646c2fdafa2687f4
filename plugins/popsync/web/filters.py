"""The workbench filter: parsed and validated from request parameters, turned into SQL parameters."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from popsync.domain.provinces import PROVINCES
from popsync.web.i18n import REASONS, STATUSES, VERDICTS

PAGE_SIZE = 50
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_PROVINCE_CODE = re.compile(r"^[0-9]{3}$")
_SEARCH_MAX = 64


class FilterError(ValueError):
    """A filter value is not valid (message names the parameter)."""


@dataclass(frozen=True)
class Cursor:
    """The last row of the previous page."""

    sector: str
    dataset: str
    source_key: str


class ProvinceMembers(Protocol):
    """Resolves a current province code to the province codes (as recorded) that belong to it."""

    def members_of(self, current_code: str) -> tuple[str, ...] | None: ...


@dataclass(frozen=True)
class MismatchFilter:
    sector: str | None = None
    dataset: str | None = None
    reasons: tuple[str, ...] = ()
    all_reasons: bool = False
    province: str | None = None
    """A province code as recorded (either table)."""
    current_province: str | None = None
    """One of the current provinces (``reference.provinces``): its own and its former provinces' records."""
    min_age_days: int | None = None
    max_age_days: int | None = None
    status: str | None = None
    verdict: str | None = None
    search: str | None = field(default=None, repr=False)

    def sql_params(
        self,
        sectors: Sequence[str],
        *,
        after: Cursor | None,
        limit: int | None,
        provinces: ProvinceMembers,
    ) -> dict[str, Any]:
        """Parameters of ``web/mismatches.sql`` for the given visible sectors; ``provinces`` resolves
        the current province (``ProvinceReference``, from ``reference.provinces``)."""
        chosen = [self.sector] if self.sector else list(sectors)
        return {
            "sectors": chosen,
            "dataset": self.dataset,
            "province": self.province,
            "province_members": self.province_members(provinces),
            "reasons": list(self.reasons) or None,
            "all_reasons": self.all_reasons,
            "min_age_days": self.min_age_days,
            "max_age_days": self.max_age_days,
            "status": self.status,
            "verdict": self.verdict,
            "search": self.search,
            "search_id": _id_form(self.search),
            "after_sector": after.sector if after else None,
            "after_dataset": after.dataset if after else None,
            "after_key": after.source_key if after else None,
            "limit": limit,
        }

    def province_members(self, provinces: ProvinceMembers) -> list[str] | None:
        """The province codes (as recorded) of the chosen current province; None without one."""
        if self.current_province is None:
            return None
        members = provinces.members_of(self.current_province)
        if members is None:
            raise FilterError(f"unknown current province code {self.current_province!r}")
        return list(members)

    def query_items(self) -> list[tuple[str, str]]:
        """The filter as URL query items; never the search term (URLs reach the access log)."""
        items: list[tuple[str, str]] = []
        for name in ("sector", "dataset", "province", "current_province", "status", "verdict"):
            value = getattr(self, name)
            if value:
                items.append((name, str(value)))
        items += [("reason", code) for code in self.reasons]
        if self.reasons:
            items.append(("reason_mode", "all" if self.all_reasons else "any"))
        if self.min_age_days is not None:
            items.append(("min_age_days", str(self.min_age_days)))
        if self.max_age_days is not None:
            items.append(("max_age_days", str(self.max_age_days)))
        return items

    def audit_detail(self) -> dict[str, Any]:
        """The filter for the audit trail: whether a search was used, never its term."""
        detail: dict[str, Any] = {name: value for name, value in self.query_items() if name != "reason"}
        if self.reasons:
            detail["reasons"] = list(self.reasons)
        detail["search"] = self.search is not None
        return detail

    def without_search(self) -> "MismatchFilter":
        return replace(self, search=None)


def _id_form(term: str | None) -> str | None:
    """The search term as the pipeline normalises an ID (white space, dots and dashes removed)."""
    if term is None:
        return None
    return re.sub(r"[\s.\-]", "", term)


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = [value.strip() for value in params.get(name, ()) if value.strip()]
    if len(values) > 1:
        raise FilterError(f"parameter {name!r} given more than once")
    return values[0] if values else None


def _days(params: Mapping[str, Sequence[str]], name: str) -> int | None:
    raw = _one(params, name)
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) > 36_500:
        raise FilterError(f"parameter {name!r} must be a whole number of days (0-36500)")
    return int(raw)


def parse_filter(
    params: Mapping[str, Sequence[str]],
    *,
    known_sectors: Sequence[str],
    search: str | None = None,
) -> MismatchFilter:
    """Validate request parameters (lists of values by name) into a filter."""
    sector = _one(params, "sector")
    if sector is not None and sector not in known_sectors:
        raise FilterError(f"unknown sector {sector!r}")
    dataset = _one(params, "dataset")
    if dataset is not None and not _IDENTIFIER.match(dataset):
        raise FilterError("parameter 'dataset' must be a lower-case identifier")
    reasons = tuple(sorted({value for value in params.get("reason", ()) if value}))
    unknown = [code for code in reasons if code not in REASONS]
    if unknown:
        raise FilterError(f"unknown reason code(s): {', '.join(unknown)}")
    mode = _one(params, "reason_mode") or "any"
    if mode not in ("any", "all"):
        raise FilterError("parameter 'reason_mode' must be 'any' or 'all'")
    province = _one(params, "province")
    if province is not None and province not in PROVINCES:
        raise FilterError(f"unknown province code {province!r}")
    current_province = _one(params, "current_province")
    if current_province is not None and not _PROVINCE_CODE.match(current_province):
        raise FilterError("parameter 'current_province' must be a three-digit province code")
    status = _one(params, "status")
    if status is not None and status not in STATUSES:
        raise FilterError(f"parameter 'status' must be one of {', '.join(STATUSES)}")
    verdict = _one(params, "verdict")
    if verdict is not None and verdict not in (*VERDICTS, "none"):
        raise FilterError(f"parameter 'verdict' must be one of {', '.join(VERDICTS)}, none")
    min_age, max_age = _days(params, "min_age_days"), _days(params, "max_age_days")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise FilterError("'min_age_days' is larger than 'max_age_days'")
    term = search.strip() if search else None
    if term and len(term) > _SEARCH_MAX:
        raise FilterError(f"the search term is longer than {_SEARCH_MAX} characters")
    return MismatchFilter(
        sector=sector,
        dataset=dataset,
        reasons=reasons,
        all_reasons=mode == "all",
        province=province,
        current_province=current_province,
        min_age_days=min_age,
        max_age_days=max_age,
        status=status,
        verdict=verdict,
        search=term or None,
    )
