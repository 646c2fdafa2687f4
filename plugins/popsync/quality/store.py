"""Check outcomes in the warehouse (one row per check per run) and Data Docs pages."""

import html
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from popsync.db.sql_files import read_sql
from popsync.quality.checks import CheckOutcome, Profile


@dataclass(frozen=True)
class RunScope:
    """Which run the outcomes belong to."""

    sector: str
    dataset: str
    run_id: str
    logical_date: datetime
    run_tag: str


def store_outcomes(
    conn: psycopg.Connection[Any], scope: RunScope, outcomes: list[CheckOutcome], profile: Profile
) -> None:
    """Replace the run's rows in ``sync.quality_results`` (in the caller's transaction)."""
    keys = (scope.sector, scope.dataset, scope.run_id)
    conn.execute("DELETE FROM sync.quality_results WHERE sector = %s AND dataset = %s AND run_id = %s", keys)
    with conn.cursor() as cur:
        cur.executemany(
            read_sql("warehouse/insert_quality_result.sql"),
            [
                {
                    "sector": scope.sector,
                    "dataset": scope.dataset,
                    "run_id": scope.run_id,
                    "logical_date": scope.logical_date,
                    "check_name": o.check.name,
                    "quality": o.check.quality,
                    "expectation": o.check.rule,
                    "severity": o.check.severity,
                    "success": o.success,
                    "observed_value": o.observed,
                    "threshold": o.check.threshold,
                    "details": Jsonb(
                        {"measure": o.check.measure, "bound": o.check.bound, "profile": profile.to_dict()}
                    ),
                }
                for o in outcomes
            ],
        )


def render_data_docs(docs_dir: Path, scope: RunScope, outcomes: list[CheckOutcome], profile: Profile) -> Path:
    """Write the run's validation page under ``docs_dir``, refresh the index; return the page."""
    folder = docs_dir / scope.sector / scope.dataset
    folder.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(
        f"<tr class='{'ok' if o.success else o.check.severity}'><td>{html.escape(o.check.name)}</td>"
        f"<td>{html.escape(o.check.quality)}</td><td>{html.escape(o.check.rule)}</td>"
        f"<td>{'n/a' if o.observed is None else f'{o.observed:.4g}'}</td><td>{o.check.severity}</td>"
        f"<td>{'passed' if o.success else 'BREACHED'}</td><td>{html.escape(o.check.description)}</td></tr>"
        for o in outcomes
    )
    profile_rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in profile.to_dict().items()
    )
    title = f"{scope.sector}.{scope.dataset} run {scope.run_id}"
    page = folder / f"{scope.logical_date.strftime('%Y%m%dT%H%M%S')}_{scope.run_tag}.html"
    page.write_text(
        "<!doctype html><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<style>td,th{padding:2px 8px}.fail{background:#fdd}.warn{background:#ffd}</style>"
        f"<h1>{html.escape(title)}</h1><p>logical date {scope.logical_date.isoformat()}</p>"
        "<table><tr><th>check</th><th>quality</th><th>rule</th><th>observed</th><th>severity</th>"
        f"<th>result</th><th>meaning</th></tr>{rows}</table><h2>profile</h2><table>{profile_rows}</table>",
        encoding="utf-8",
    )
    _write_index(docs_dir)
    return page


def _write_index(docs_dir: Path) -> None:
    pages = sorted(docs_dir.glob("*/*/*.html"), reverse=True)
    names = [html.escape(str(page.relative_to(docs_dir))) for page in pages]
    items = "\n".join(f'<li><a href="{name}">{name}</a></li>' for name in names)
    (docs_dir / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>popsync data quality</title>"
        f"<h1>popsync data-quality validations</h1><ul>{items}</ul>",
        encoding="utf-8",
    )
