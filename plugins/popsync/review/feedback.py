"""Feedback to the register authority: pending ``register_wrong`` rows exported as a CSV file.

The file holds ID numbers (personal data): it is written with owner-only permissions, and its
rows are marked exported in the same transaction (commit after the file is in place).
"""

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from popsync.db.sql_files import read_sql
from popsync.settings import get_settings

COLUMNS = (
    "feedback_id", "sector", "dataset", "source_key", "national_id", "reasons", "register_values", "sector_values",
    "comment", "actor", "recorded_at",
)  # fmt: skip


@dataclass(frozen=True)
class FeedbackExport:
    rows: int
    path: Path | None
    """None when nothing was pending (no file is written)."""
    by_sector: dict[str, int]


def export_dir() -> Path:
    """``<popsync home>/exports/register_feedback``."""
    return get_settings().home / "exports" / "register_feedback"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def export_feedback(conn: psycopg.Connection[Any], file_name: str, directory: Path | None = None) -> FeedbackExport:
    """Write the pending rows to ``directory/file_name`` and mark them exported (caller commits)."""
    if Path(file_name).name != file_name or not file_name.endswith(".csv"):
        raise ValueError(f"{file_name!r} must be a plain .csv file name")
    rows = conn.execute(read_sql("review/pending_feedback.sql")).fetchall()
    if not rows:
        return FeedbackExport(0, None, {})
    target_dir = directory or export_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / file_name
    partial = target.with_suffix(".csv.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
    os.replace(partial, target)
    conn.execute(
        read_sql("review/mark_feedback_exported.sql"),
        {"export_file": str(target), "feedback_ids": [row[0] for row in rows]},
    )
    by_sector: dict[str, int] = {}
    for row in rows:
        by_sector[row[1]] = by_sector.get(row[1], 0) + 1
    return FeedbackExport(len(rows), target, by_sector)
