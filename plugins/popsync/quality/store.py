"""GX's results in the warehouse: one row per expectation per run, and each data asset's validation."""

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from popsync.db.sql_files import read_sql
from popsync.quality.checks import Profile
from popsync.quality.gx_validation import ExpectationOutcome


@dataclass(frozen=True)
class RunScope:
    """Which run the outcomes belong to."""

    sector: str
    dataset: str
    run_id: str
    logical_date: datetime
    run_tag: str


def _json(value: Any) -> Any:
    """GX's JSON with non-finite numbers as strings (PostgreSQL's jsonb has no NaN)."""
    return json.loads(json.dumps(value, default=str), parse_constant=str)


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def store_outcomes(
    conn: psycopg.Connection[Any],
    scope: RunScope,
    outcomes: list[ExpectationOutcome],
    profile: Profile,
    validations: list[tuple[str, dict[str, Any], dict[str, Any]]],
) -> None:
    """Replace the run's rows in ``sync.quality_results`` and ``sync.quality_validations``.

    ``validations`` holds (data asset, suite JSON, GX validation result JSON). In the caller's transaction.
    """
    keys = {"sector": scope.sector, "dataset": scope.dataset, "run_id": scope.run_id}
    conn.execute(read_sql("quality/clear_run.sql"), keys)
    run = {**keys, "logical_date": scope.logical_date}
    with conn.cursor() as cur:
        cur.executemany(
            read_sql("warehouse/insert_quality_result.sql"),
            [
                {
                    **run,
                    "check_name": o.expectation.check,
                    "quality": o.expectation.quality,
                    "expectation": o.expectation.rule,
                    "severity": o.expectation.severity,
                    "success": o.success,
                    "observed_value": _number(o.observed_number),
                    "threshold": o.expectation.threshold,
                    "details": Jsonb(
                        {
                            "measure": o.expectation.measure,
                            "kwargs": _json(o.expectation.kwargs),
                            "profile": profile.to_json(),
                        }
                    ),
                    "expectation_type": o.expectation.type,
                    "data_asset": o.expectation.data,
                    "observed": Jsonb(_json(o.observed)),
                    "gx_result": Jsonb(_json(o.gx_result)),
                }
                for o in outcomes
            ],
        )
        cur.executemany(
            read_sql("quality/insert_validation.sql"),
            [
                {
                    **run,
                    "data_asset": asset,
                    "suite": Jsonb(_json(suite)),
                    "result": Jsonb(_json(result)),
                    "success": bool(result.get("success")),
                }
                for asset, suite, result in validations
            ],
        )
