"""Validate a dataset's suite with Great Expectations: one batch per kind of data, one result each.

``import great_expectations`` costs seconds, so it is paid once per long-lived worker process
(:func:`preload`, before Airflow forks the task processes), never per dataset run. This module
imports GX inside its functions so that importing it stays cheap where GX is not preloaded.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from popsync.quality.suites import SuiteExpectation

_log = logging.getLogger(__name__)
RESULT_FORMAT: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 0}
"""Counts and observed values, no sample of unexpected values (they may be personal data)."""


class GxValidationError(RuntimeError):
    """GX rejected an expectation or failed while validating; the message names the expectation."""


@dataclass(frozen=True)
class SqlBatch:
    """A SQL batch: a query (the extract) or a table (staged results) on a database."""

    url: str
    """SQLAlchemy URL of the database."""
    query: str | None = None
    table: tuple[str, str] | None = None


Batch = Mapping[str, Any] | SqlBatch
"""The profile (one row: column -> value) or a SQL batch."""


@dataclass(frozen=True)
class ExpectationOutcome:
    """GX's result for one expectation of the suite."""

    expectation: SuiteExpectation
    success: bool
    result: dict[str, Any]
    """GX's ``result`` (observed value, element and unexpected counts)."""
    gx_result: dict[str, Any]
    """The whole ExpectationValidationResult as GX serialises it."""

    @property
    def observed(self) -> Any:
        """GX's observed value, or the unexpected share for a row-level expectation."""
        if "observed_value" in self.result:
            return self.result["observed_value"]
        return self.result.get("unexpected_percent")

    @property
    def observed_number(self) -> float | None:
        value = self.observed
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    @property
    def summary(self) -> str:
        value = self.observed
        shown = "n/a" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)[:80]
        item = self.expectation
        threshold = "" if item.threshold is None else f", threshold {item.threshold:g}"
        return f"{item.check} ({item.quality}, {item.rule}): observed {shown}{threshold}: {item.description}"


def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            progress_bars=ProgressBarsConfig(globally=False),
            analytics_enabled=False,
        ),
    )
    logging.captureWarnings(False)  # GX turns warning capture on for the whole process
    return context


def _expectation(item: SuiteExpectation, label: str) -> Any:
    """GX's expectation object; a definition GX rejects raises naming the dataset and the check."""
    from great_expectations.expectations.registry import get_expectation_impl

    spec = item.to_gx()
    try:
        cls = get_expectation_impl(item.type)
        return cls(**spec["kwargs"], meta=spec["meta"], description=spec["description"], severity=spec["severity"])
    except Exception as exc:  # GX raises pydantic and its own errors for a bad definition
        raise GxValidationError(
            f"{label}: Great Expectations rejects the expectation {item.check} ({item.rule}): {_first_line(exc)}"
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:400] + "...") if len(text) > 400 else text or type(exc).__name__


def _raised(info: Mapping[str, Any]) -> str | None:
    """GX's exception message when validating an expectation raised (top level or per metric)."""
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "unknown error")
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message") or "unknown error")
    return None


def _batch(context: Any, data: str, source: Batch) -> Any:
    if isinstance(source, SqlBatch):
        datasource = context.data_sources.add_sql(name=f"sql_{data}", connection_string=source.url)
        if source.query is not None:
            # GX takes a query that starts with SELECT; popsync's queries open with comments and CTEs.
            query = f"SELECT * FROM (\n{source.query.strip().rstrip(';')}\n) AS popsync_{data}"
            asset = datasource.add_query_asset(name=data, query=query)
        else:
            assert source.table is not None
            asset = datasource.add_table_asset(name=data, schema_name=source.table[0], table_name=source.table[1])
        return asset.add_batch_definition_whole_table("whole").get_batch()
    import pandas as pd

    datasource = context.data_sources.add_pandas(name=f"pandas_{data}")
    asset = datasource.add_dataframe_asset(name=data)
    frame = pd.DataFrame([dict(source)])
    return asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": frame})


def validate(
    suite_name: str, expectations: list[SuiteExpectation], batches: Mapping[str, Batch], label: str
) -> tuple[list[ExpectationOutcome], list[tuple[str, dict[str, Any], dict[str, Any]]]]:
    """Validate each kind of data's part of the suite; return the outcomes and, per kind of data,
    the suite validated and GX's validation result (both in GX's JSON form).

    Raises :class:`GxValidationError` when GX rejects an expectation, an expectation raised while
    being validated (a missing column, a failing query), or the batch could not be read.
    """
    import great_expectations as gx

    context = _context()
    outcomes: list[ExpectationOutcome] = []
    suite_results: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for data, source in batches.items():
        items = [item for item in expectations if item.data == data]
        if not items:
            continue
        suite = gx.ExpectationSuite(name=suite_name, meta={"popsync": {"data": data}})
        by_check = {}
        for item in items:
            suite.expectations.append(_expectation(item, label))
            by_check[item.check] = item
        names = ", ".join(item.check for item in items)
        try:
            batch = _batch(context, data, source)
            result = batch.validate(suite, result_format=RESULT_FORMAT)
        except GxValidationError:
            raise
        except Exception as exc:
            raise GxValidationError(
                f"{label}: Great Expectations could not validate the {data} ({names}): {_first_line(exc)}"
            ) from exc
        for entry in result.results:
            item = by_check[entry.expectation_config.meta["popsync"]["check"]]
            problem = _raised(entry.exception_info or {})
            if problem is not None:
                raise GxValidationError(
                    f"{label}: expectation {item.check} ({item.rule}) on the {data} raised in Great Expectations: "
                    f"{_first_line(Exception(problem))}"
                )
            serialised = entry.to_json_dict()
            outcomes.append(
                ExpectationOutcome(item, bool(entry.success), dict(serialised.get("result") or {}), serialised)
            )
        suite_results.append((data, suite.to_json_dict(), result.to_json_dict()))
    return outcomes, suite_results


@dataclass(frozen=True)
class GxImport:
    """Whether this process found GX already imported, and what importing it cost here."""

    preloaded: bool
    seconds: float


def import_gx() -> GxImport:
    """Import GX now (a no-op when it was preloaded), and say which it was."""
    import sys
    import time

    preloaded = "great_expectations" in sys.modules
    started = time.perf_counter()
    import great_expectations  # noqa: F401

    return GxImport(preloaded, time.perf_counter() - started)


def preload() -> float:
    """Import GX and validate a tiny batch once, so forked task processes start with it; return seconds.

    Called in long-lived parents (the local scheduler before its executor forks, Celery's worker
    before its pool forks). A task process forked afterwards finds GX in ``sys.modules``.
    """
    import time

    started = time.perf_counter()
    check = SuiteExpectation(
        "preload", "đúng", "warn", "profile", "expect_column_min_to_be_between",
        {"column": "share", "min_value": 0.0}, "preload", "share >= 0",
    )  # fmt: skip
    validate("popsync.preload", [check], {"profile": {"share": 1.0}}, "preload")
    seconds = time.perf_counter() - started
    _log.info("Great Expectations preloaded in %.2f s", seconds)
    return seconds
