"""Run the gate's checks with Great Expectations against the warehouse (SQL in PostgreSQL)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from popsync.quality.checks import Batch, Check

_log = logging.getLogger(__name__)
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 5}


@dataclass(frozen=True)
class CheckOutcome:
    """What one check found."""

    check: Check
    success: bool
    observed: float | None
    """Share, row count or age in days, comparable with the check's threshold."""
    details: dict[str, Any]

    @property
    def summary(self) -> str:
        observed = "n/a" if self.observed is None else f"{self.observed:.4g}"
        return (
            f"{self.check.name} ({self.check.quality}, {self.check.expectation}): observed {observed}, "
            f"threshold {self.check.threshold}: {self.check.description}"
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _observed(check: Check, result: dict[str, Any], now: datetime) -> float | None:
    element_count = result.get("element_count")
    unexpected = result.get("unexpected_count")
    if "previous_sync_rate" in check.notes:
        count = result.get("observed_value")
        total = check.notes["rate_total"]
        return None if count is None else (check.notes["previous_sync_rate"] - (total - float(count)) / total) * 100
    if check.expectation == "ExpectTableRowCountToBeBetween" and "complement_share_of_total" in check.notes:
        count = result.get("observed_value")
        total = check.notes["complement_share_of_total"]
        return None if count is None or not total else 1.0 - float(count) / total
    if check.expectation == "ExpectTableRowCountToBeBetween" and "share_of_total" in check.notes:
        count = result.get("observed_value")
        return None if count is None else float(count) / check.notes["share_of_total"]
    if check.expectation == "ExpectTableRowCountToBeBetween":
        previous = check.notes["previous_total"]
        count = result.get("observed_value")
        return None if count is None else 1.0 - float(count) / previous
    if check.expectation == "ExpectColumnMaxToBeBetween":
        newest = result.get("observed_value")
        if isinstance(newest, str):
            newest = datetime.fromisoformat(newest)
        return None if not isinstance(newest, datetime) else (now - newest).total_seconds() / 86400
    if element_count and unexpected is not None:
        bad_share = float(unexpected) / float(element_count)
        return bad_share if check.notes.get("share_of") == "unexpected" else 1.0 - bad_share
    return None


def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.captureWarnings(False)  # GX turns warning capture on for the whole process
    return gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            progress_bars=ProgressBarsConfig(globally=False),
        ),
    )


def validate_checks(
    checks: list[Check], connection_string: str, batches: dict[Batch, str], suite_prefix: str, now: datetime
) -> tuple[list[CheckOutcome], list[Any]]:
    """Run every check; ``batches`` maps a batch to a table name or a SELECT query.

    Returns the outcomes and GX's validation results (for Data Docs).
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _context()
    source = context.data_sources.add_postgres(name="warehouse", connection_string=connection_string)
    outcomes: list[CheckOutcome] = []
    results: list[Any] = []
    for batch, target in batches.items():
        batch_checks = [check for check in checks if check.batch == batch]
        if not batch_checks:
            continue
        if target.lstrip().upper().startswith("SELECT"):
            asset = source.add_query_asset(name=batch, query=target)
        else:
            asset = source.add_table_asset(name=batch, table_name=target)
        definition = asset.add_batch_definition_whole_table(f"{batch}_whole")
        suite = context.suites.add(gx.ExpectationSuite(name=f"{suite_prefix}.{batch}"))
        for check in batch_checks:
            expectation_class = getattr(gxe, check.expectation)
            suite.add_expectation(
                expectation_class(**check.kwargs, meta={"check": check.name}, description=check.description)
            )
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite_prefix}.{batch}.validation", data=definition, suite=suite)
        )
        run = validation.run(result_format=RESULT_FORMAT)
        results.append(run)
        by_name = {check.name: check for check in batch_checks}
        for item in run.results:
            check = by_name[(item.expectation_config.meta or {})["check"]]
            result = dict(item.result or {})
            exception = item.exception_info or {}
            raised = bool(exception.get("raised_exception")) or any(
                isinstance(value, dict) and value.get("raised_exception") for value in exception.values()
            )
            details = {key: _jsonable(value) for key, value in result.items()}
            details["kwargs"] = {key: _jsonable(value) for key, value in check.kwargs.items()}
            if raised:
                details["exception"] = str(exception)[:2000]
            outcomes.append(
                CheckOutcome(check, bool(item.success) and not raised, _observed(check, result, now), details)
            )
    return outcomes, results
