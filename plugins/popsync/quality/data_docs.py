"""GX's own Data Docs, built from the validation results stored in the warehouse.

A File Data Context under ``settings.gx_project_dir`` holds each dataset's Expectation Suite and
the validation results of its runs; GX renders them into ``settings.data_docs_dir`` (its
``local_site``). The gate only stores GX's results (``sync.quality_validations``); the pages are
built after publishing, in the ``publish_metrics`` task (or ``popsync quality docs``), off the
critical path. The popsync pages serve them behind the same login and sector access
(``web/data_docs_routes.py``).
"""

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from popsync.db.connections import connect
from popsync.db.sql_files import read_sql
from popsync.quality.suites import dataset_suite
from popsync.sectors import load_sectors
from popsync.settings import WAREHOUSE_CONN_ID, get_settings

_log = logging.getLogger(__name__)


def _context() -> Any:
    import great_expectations as gx

    settings = get_settings()
    settings.gx_project_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=settings.gx_project_dir)
    logging.captureWarnings(False)  # GX turns warning capture on for the whole process
    return context


@contextmanager
def _locked() -> Iterator[None]:
    """One builder at a time: several datasets' publish_metrics tasks may finish together."""
    directory = get_settings().gx_project_dir
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _add_run(context: Any, sector: str, dataset: str, run_id: str) -> list[Any]:
    """Put the run's suite and validation results into the context's stores; return their keys."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import expectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    definitions = {s.sector: s for s in load_sectors()}
    definition = definitions[sector]
    suite_json = dataset_suite(definition, next(d for d in definition.datasets if d.name == dataset))
    context.suites.add_or_update(gx.ExpectationSuite(**suite_json))
    suite_key = ExpectationSuiteIdentifier(name=suite_json["name"])
    keys: list[Any] = [suite_key]
    with connect(WAREHOUSE_CONN_ID) as conn:
        rows = conn.execute(
            read_sql("quality/run_validations.sql"), {"sector": sector, "dataset": dataset, "run_id": run_id}
        ).fetchall()
    for data_asset, logical_date, _suite, result in rows:
        assert isinstance(logical_date, datetime)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=suite_key,
            run_id=RunIdentifier(run_name=run_id, run_time=logical_date),
            batch_identifier=str(data_asset),
        )
        context.validation_results_store.set(key, expectationSuiteValidationResultSchema.load(result))
        keys.append(key)
    return keys


def build_run_docs(sector: str, dataset: str, run_id: str) -> Path:
    """Add one run's validation results to the Data Docs and rebuild its pages and the index."""
    with _locked():
        context = _context()
        keys = _add_run(context, sector, dataset, run_id)
        context.build_data_docs(resource_identifiers=keys)
    index = get_settings().data_docs_dir / "index.html"
    _log.info("%s.%s: Data Docs built (%s)", sector, dataset, index)
    return index


def build_published_docs() -> Path | None:
    """Data Docs of every dataset's published run (``popsync quality docs``)."""
    with connect(WAREHOUSE_CONN_ID) as conn:
        rows = conn.execute(read_sql("quality/published_runs.sql")).fetchall()
    if not rows:
        return None
    with _locked():
        context = _context()
        for sector, dataset, run_id in rows:
            _add_run(context, str(sector), str(dataset), str(run_id))
        context.build_data_docs()
    return get_settings().data_docs_dir / "index.html"
