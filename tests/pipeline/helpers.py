"""Run the DuckDB stages on rows given in a test, without PostgreSQL."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from popsync.db.duck import duckdb_session, store_arrow
from popsync.db.sql_files import read_sql
from popsync.generate.suggestions import province_successors
from popsync.pipeline.normalise import create_normalised
from popsync.pipeline.reconcile import link_records, search_suggestions
from popsync.sectors.model import ColumnMapping, DatasetDefinition

LOGICAL_DATE = datetime(2026, 11, 21, tzinfo=UTC)

RAW_COLUMNS = (
    "source_key", "national_id", "full_name", "birth_date", "gender", "is_active", "updated_at", "death_date",
)  # fmt: skip
REGISTER_COLUMNS = (
    "national_id", "former_cmnd", "full_name", "birth_date", "birth_date_precision", "gender",
    "residence_province", "is_deceased", "date_of_death",
)  # fmt: skip
"""The columns of reference/persons.sql, in its order (the register table below is built so)."""


def dataset(formats: Sequence[str] = ("dd/mm/yyyy",), genders: dict[str, str] | None = None) -> DatasetDefinition:
    return DatasetDefinition.model_validate(
        {
            "name": "people",
            "title": "People",
            "extract_sql": "sources/justice/birth_registrations.sql",
            "columns": ColumnMapping(
                source_key="k", national_id="i", full_name="n", birth_date="b", gender="g", is_active="a"
            ),
            "birth_date_formats": tuple(formats),
            "genders": genders or {"Nam": "M", "Nữ": "F"},
        }
    )


@contextmanager
def session() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb_session() as duck:
        yield duck


def load_raw(duck: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> None:
    duck.execute(
        "CREATE OR REPLACE TABLE raw_extract (source_key VARCHAR, national_id VARCHAR, full_name VARCHAR, "
        "birth_date VARCHAR, gender VARCHAR, is_active BOOLEAN, updated_at TIMESTAMPTZ, death_date VARCHAR)"
    )
    for index, row in enumerate(rows):
        values = {"source_key": f"k{index}", "is_active": True, **row}
        duck.execute("INSERT INTO raw_extract VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [values.get(c) for c in RAW_COLUMNS])


def normalise_rows(
    rows: Sequence[dict[str, Any]], definition: DatasetDefinition, logical_date: date | None = None
) -> list[dict[str, Any]]:
    logical_date = logical_date or LOGICAL_DATE.date()
    with session() as duck:
        load_raw(duck, rows)
        create_normalised(duck, definition, logical_date)
        cursor = duck.execute("SELECT * FROM normalised")
        names = [column[0] for column in cursor.description or ()]
        result = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return sorted(result, key=lambda row: int(str(row["source_key"])[1:]))


def reconcile_rows(
    rows: Sequence[dict[str, Any]],
    register: Sequence[dict[str, Any]],
    definition: DatasetDefinition,
    *,
    checks_deceased: bool = True,
    checks_death: bool = False,
) -> list[dict[str, Any]]:
    """Normalise and classify ``rows`` against ``register``; one result per row, in order."""
    with session() as duck:
        load_raw(duck, rows)
        create_normalised(duck, definition, LOGICAL_DATE.date())
        duck.execute(
            "CREATE TABLE register (national_id VARCHAR, former_cmnd VARCHAR, full_name VARCHAR, birth_date DATE, "
            "birth_date_precision VARCHAR, gender VARCHAR, residence_province VARCHAR, is_deceased BOOLEAN, "
            "date_of_death DATE)"
        )
        for person in register:
            values = {"former_cmnd": None, "is_deceased": False, "date_of_death": None, **person}
            duck.execute(
                "INSERT INTO register VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [values.get(c) for c in REGISTER_COLUMNS]
            )
        duck.execute("CREATE TABLE previous_mismatches (source_key VARCHAR, first_seen TIMESTAMPTZ)")
        duck.execute("ALTER TABLE register ADD COLUMN name_key VARCHAR")
        duck.execute("UPDATE register SET name_key = name_key(full_name)")
        duck.execute("CREATE VIEW register_all AS SELECT *, fold_key(name_key) AS folded_key FROM register")
        store_arrow(duck, "province_successors", province_successors())  # reference.provinces' pairs
        link_records(duck, checks_deceased=checks_deceased, logical_date=LOGICAL_DATE, checks_death=checks_death)
        search_suggestions(duck)
        relation = duck.sql("SELECT * EXCLUDE (first_seen, previous_first_seen) FROM reconciled")
        names = relation.columns
        result = [dict(zip(names, values, strict=True)) for values in relation.fetchall()]
        details = {
            key: (detail, suggested)
            for key, detail, suggested in duck.sql(
                f"SELECT source_key, details, suggested_national_id FROM ({read_sql('duckdb/mismatches_output.sql')})"
            ).fetchall()
        }
        candidates: dict[str, list[dict[str, Any]]] = {}
        output = duck.sql(read_sql("duckdb/suggestion_candidates_output.sql"))
        for values in output.fetchall():
            candidate = dict(zip(output.columns, values, strict=True))
            candidates.setdefault(str(candidate["source_key"]), []).append(candidate)
        for row in result:
            row["details"], row["suggested_national_id"] = details.get(row["source_key"], (None, None))
            row["candidates"] = sorted(candidates.get(row["source_key"], []), key=lambda c: int(c["rank"]))
    return sorted(result, key=lambda row: int(str(row["source_key"])[1:]))
