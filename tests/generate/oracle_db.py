"""Read generated databases the way the pipeline does (extract SQL + sector YAML) and apply the oracle."""

import datetime
from typing import Any

import psycopg

from popsync.db.sql_files import read_sql
from popsync.sectors import load_sectors
from tests.generate.reconciliation_oracle import Person, Record, evaluate

Expected = dict[str, tuple[tuple[str, ...], str | None]]


def _iso(value: object) -> str | None:
    """A date of death as the oracle compares it (YYYY-MM-DD); None when missing."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def load_register(url: str) -> dict[str, Person]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT national_id, former_cmnd, full_name, birth_date, birth_date_precision, gender, is_deceased,"
            " date_of_death FROM dan_cu.persons"
        ).fetchall()
    return {row[0]: Person(*row) for row in rows}


def check_sector(
    url: str, sector: str, register: dict[str, Person], logical_date: datetime.date
) -> dict[str, tuple[Expected, Expected]]:
    """dataset -> (oracle's reasons, ground truth) per source key."""
    definition = next(item for item in load_sectors() if item.sector == sector)
    out: dict[str, tuple[Expected, Expected]] = {}
    with psycopg.connect(url) as conn:
        for dataset in definition.datasets:
            cursor = conn.execute(read_sql(dataset.extract_sql).encode())
            names = [column.name for column in cursor.description or []]
            roles = dataset.columns
            records = []
            for row in cursor.fetchall():
                values: dict[str, Any] = dict(zip(names, row, strict=True))
                records.append(
                    Record(
                        source_key=str(values[roles.source_key]),
                        national_id=values[roles.national_id],
                        full_name=values[roles.full_name],
                        birth_date=values[roles.birth_date],
                        gender=values[roles.gender],
                        is_active=values[roles.is_active] if roles.is_active else None,
                        death_date=_iso(values[roles.death_date]) if roles.death_date else None,
                    )
                )
            oracle = evaluate(
                records,
                register,
                dataset.birth_date_formats,
                dataset.genders,
                roles.is_active is not None,
                logical_date,
                checks_death=roles.death_date is not None,
            )
            truth_rows = conn.execute(
                "SELECT source_key, expected_reasons, expected_linked_national_id, beyond_rules"
                " FROM ground_truth.expected WHERE dataset = %s",
                [dataset.name],
            ).fetchall()
            # Families beyond the rules are scored apart: the rules say nothing about them.
            truth = {key: (tuple(reasons), linked) for key, reasons, linked, beyond in truth_rows if beyond is None}
            out[dataset.name] = ({key: value for key, value in oracle.items() if key in truth}, truth)
    return out
