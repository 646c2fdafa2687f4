"""The gate's checks, derived from a dataset's quality rules.

Each check is one Great Expectations expectation on one of three batches in the
warehouse: the raw extract, the normalised extract, or the run's reconciled results.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import ceil, floor
from typing import Any, Literal

Batch = Literal["raw", "normalised", "repeated_keys", "results", "mismatched"]
Quality = Literal["đúng", "đủ", "sạch", "sống"]


@dataclass(frozen=True)
class Check:
    """One expectation with its threshold and what a breach means."""

    name: str
    quality: Quality
    batch: Batch
    expectation: str
    kwargs: dict[str, Any]
    severity: str
    threshold: float | None
    description: str
    notes: dict[str, Any] = field(default_factory=dict)


def build_checks(
    rules: Any,
    *,
    has_updated_at: bool,
    previous_total: int | None,
    now: datetime,
    checks_deceased: bool,
    total: int,
    previous_sync_rate: float | None = None,
) -> list[Check]:
    """The checks of one run, skipping those whose severity is ``off`` or that cannot apply."""
    checks = [
        Check(
            "id_well_formed",
            "đúng",
            "normalised",
            "ExpectColumnValuesToBeInSet",
            {"column": "id_kind", "value_set": ["cccd", "cmnd"], "mostly": rules.id_well_formed.threshold},
            rules.id_well_formed.severity,
            rules.id_well_formed.threshold,
            "share of IDs that are 12 digits with a known province, or 9-digit CMND",
        ),
        Check(
            "gender_mapped",
            "đúng",
            "normalised",
            "ExpectColumnValuesToNotBeNull",
            {"column": "gender", "mostly": rules.gender_mapped.threshold},
            rules.gender_mapped.severity,
            rules.gender_mapped.threshold,
            "share of gender values within the dataset's mapping",
        ),
        Check(
            "birth_date_valid",
            "đúng",
            "normalised",
            "ExpectColumnValuesToBeInSet",
            {"column": "birth_date_valid", "value_set": [True], "mostly": rules.birth_date_valid.threshold},
            rules.birth_date_valid.severity,
            rules.birth_date_valid.threshold,
            "share of birth dates parseable in a declared format and not in the future",
        ),
        Check(
            "source_key_present",
            "đủ",
            "normalised",
            "ExpectColumnValuesToNotBeNull",
            {"column": "source_key", "mostly": rules.required_present.threshold},
            rules.required_present.severity,
            rules.required_present.threshold,
            "share of records with a source key",
        ),
        Check(
            "full_name_present",
            "đủ",
            "normalised",
            "ExpectColumnValuesToNotBeNull",
            {"column": "full_name", "mostly": rules.required_present.threshold},
            rules.required_present.severity,
            rules.required_present.threshold,
            "share of records with a name",
        ),
        Check(
            "source_key_unique",
            "sạch",
            "repeated_keys",
            "ExpectTableRowCountToBeBetween",
            {"max_value": int((1.0 - rules.source_key_unique.threshold) * total)},
            rules.source_key_unique.severity,
            rules.source_key_unique.threshold,
            "share of records whose source key is not repeated",
            {"complement_share_of_total": total},
        ),
        Check(
            "names_clean",
            "sạch",
            "normalised",
            "ExpectColumnValuesToBeInSet",
            {"column": "name_garbled", "value_set": [False], "mostly": 1.0 - rules.garbled_names.threshold},
            rules.garbled_names.severity,
            rules.garbled_names.threshold,
            "share of names with control characters or legacy-encoding mojibake (at most)",
            {"share_of": "unexpected"},
        ),
    ]
    if previous_total:
        minimum = ceil(previous_total * (1.0 - rules.row_count_drop.threshold))
        checks.append(
            Check(
                "row_count_stable",
                "đủ",
                "raw",
                "ExpectTableRowCountToBeBetween",
                {"min_value": minimum},
                rules.row_count_drop.severity,
                rules.row_count_drop.threshold,
                f"row count drop against the previous successful run ({previous_total} rows), at most",
                {"previous_total": previous_total, "minimum_rows": minimum},
            )
        )
    if has_updated_at:
        oldest = now - timedelta(days=rules.freshness_days)
        checks.append(
            Check(
                "extract_fresh",
                "sống",
                "raw",
                "ExpectColumnMaxToBeBetween",
                {"column": "updated_at", "min_value": oldest},
                rules.freshness_severity,
                float(rules.freshness_days),
                "newest updated_at within this many days",
            )
        )
    if checks_deceased and total:
        checks.append(
            Check(
                "deceased_not_active",
                "sống",
                "results",
                "ExpectTableRowCountToBeBetween",
                {"max_value": int(rules.deceased_active.threshold * total)},
                rules.deceased_active.severity,
                rules.deceased_active.threshold,
                "share of active records of deceased persons (at most)",
                {"share_of_total": total},
            )
        )
    if previous_sync_rate is not None and total:
        checks.append(sync_rate_drop_check(rules.sync_rate_drop, previous_sync_rate, total))
    return [check for check in checks if check.severity != "off"]


def sync_rate_drop_check(rule: Any, previous_sync_rate: float, total: int) -> Check:
    """Sync rate at most ``rule.threshold`` points below the previous run: a ceiling on mismatched rows."""
    allowed_share = min(1.0, 1.0 - previous_sync_rate + rule.threshold / 100.0)
    return Check(
        "sync_rate_drop",
        "đúng",
        "mismatched",
        "ExpectTableRowCountToBeBetween",
        {"max_value": max(0, floor(allowed_share * total + 1e-9))},
        rule.severity,
        rule.threshold,
        f"drop of the sync rate in points against the previous published run ({previous_sync_rate:.2%}), at most",
        {"previous_sync_rate": previous_sync_rate, "rate_total": total},
    )
