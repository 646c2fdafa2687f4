"""A dataset's rules as a Great Expectations Expectation Suite (GX's JSON form; no GX import).

The built-in checks ("đúng, đủ, sạch, sống") become expectations on the run's one-row profile:
each check's measure is a column, ``at_least`` a minimum (``expect_column_min_to_be_between``),
``at_most`` a maximum (``expect_column_max_to_be_between``) of that column, with the threshold
of the sector YAML. Further expectations come from the YAML's ``expectations:`` list as written.
popsync's severities stay popsync's: each expectation's ``meta.popsync`` holds the check's name,
quality, severity and the data it validates; GX's own ``severity`` is set alongside
(fail → critical, review → warning, warn → info).
"""

from dataclasses import dataclass, field
from typing import Any

from popsync.quality.checks import CHECK_TABLE, Check
from popsync.sectors.model import DatasetDefinition, SectorDefinition

GX_SEVERITY = {"fail": "critical", "review": "warning", "warn": "info"}
PROFILE = "profile"


@dataclass(frozen=True)
class SuiteExpectation:
    """One expectation of a dataset's suite and what popsync makes of its result."""

    check: str
    """Name of the check (``sync.quality_results.check_name``)."""
    quality: str
    severity: str
    data: str
    """``profile``, ``extract``, ``mismatches`` or ``matches``."""
    type: str
    kwargs: dict[str, Any] = field(hash=False)
    description: str
    rule: str
    threshold: float | None = None
    measure: str | None = None
    """The profile measure a built-in check reads (None for expectations from YAML)."""

    def to_gx(self) -> dict[str, Any]:
        """The expectation in GX's JSON form."""
        popsync = {"check": self.check, "quality": self.quality, "severity": self.severity, "data": self.data}
        if self.measure is not None:
            popsync["measure"] = self.measure
        return {
            "type": self.type,
            "kwargs": dict(self.kwargs),
            "meta": {"popsync": popsync},
            "description": self.description,
            "severity": GX_SEVERITY[self.severity],
        }


def builtin_expectation(check: Check) -> SuiteExpectation:
    """A built-in check as an expectation on the profile column of its measure."""
    if check.bound == "at_least":
        kind, kwargs = "expect_column_min_to_be_between", {"column": check.measure, "min_value": check.threshold}
    else:
        kind, kwargs = "expect_column_max_to_be_between", {"column": check.measure, "max_value": check.threshold}
    return SuiteExpectation(
        check.name,
        check.quality,
        check.severity,
        PROFILE,
        kind,
        kwargs,
        check.description,
        check.rule,
        check.threshold,
        check.measure,
    )


def _rule(kind: str, kwargs: dict[str, Any]) -> str:
    args = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    return f"{kind}({args})"


def yaml_expectations(dataset: DatasetDefinition) -> list[SuiteExpectation]:
    """The dataset's expectations from the YAML ``expectations:`` list (``off`` ones left out)."""
    return [
        SuiteExpectation(
            item.check_name,
            item.quality,
            item.severity,
            item.data,
            item.type,
            dict(item.kwargs),
            str(item.kwargs.get("description") or item.type.replace("_", " ")),
            _rule(item.type, item.kwargs),
        )
        for item in dataset.expectations
        if item.severity != "off"
    ]


def all_builtin_checks(dataset: DatasetDefinition) -> list[Check]:
    """Every built-in check of the dataset that is not ``off`` (whether it applies to a run or not)."""
    checks = []
    for spec in CHECK_TABLE:
        rule = getattr(dataset.quality, spec.name)
        threshold = float(rule.max_days) if hasattr(rule, "max_days") else float(rule.threshold)
        if rule.severity != "off":
            checks.append(
                Check(spec.name, spec.quality, spec.measure, spec.bound, threshold, rule.severity, spec.description)
            )
    return checks


def suite_name(sector: SectorDefinition, dataset: DatasetDefinition) -> str:
    return f"{sector.sector}.{dataset.name}"


def suite_json(
    sector: SectorDefinition, dataset: DatasetDefinition, expectations: list[SuiteExpectation]
) -> dict[str, Any]:
    """An Expectation Suite in GX's JSON form."""
    return {
        "name": suite_name(sector, dataset),
        "expectations": [item.to_gx() for item in expectations],
        "meta": {
            "popsync": {
                "sector": sector.sector,
                "dataset": dataset.name,
                "severities": {
                    "fail": "stop the run",
                    "review": "publish after approval",
                    "warn": "publish with a mark",
                },
                "data": {
                    "profile": "one row of the run's measures (include/sql/duckdb/profile.sql)",
                    "extract": f"the extract ({dataset.source_summary}) on the sector database",
                    "mismatches": "the run's staged mismatches table",
                    "matches": "the run's staged matches table",
                },
            }
        },
    }


def dataset_suite(sector: SectorDefinition, dataset: DatasetDefinition) -> dict[str, Any]:
    """The dataset's whole suite as ``popsync quality suite`` prints it: every check not ``off``.

    At run time the checks that do not apply (no previous run, no ``updated_at``...) are left out.
    """
    expectations = [builtin_expectation(check) for check in all_builtin_checks(dataset)]
    return suite_json(sector, dataset, expectations + yaml_expectations(dataset))
