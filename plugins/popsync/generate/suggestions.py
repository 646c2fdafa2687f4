"""Ground truth of name_birth_gender suggestions: kept only where exactly one register person fits.

Whether a person's name, gender and birth date single them out depends on the whole register,
which no chunk sees; so the generator collects these records while streaming and checks them
once the register is loaded.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
import pyarrow as pa

from popsync.db.arrow_io import arrow_connection
from popsync.db.duck import duckdb_session, store_arrow
from popsync.db.sql_files import read_sql

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuggestionProbe:
    """A record whose expected suggestion is found by name, birth date and gender."""

    dataset: str
    source_key: str
    national_id: str
    birth_date: datetime.date
    birth_date_precision: str


def ambiguous_probes(register_url: str, probes: Sequence[SuggestionProbe]) -> list[tuple[str, str]]:
    """``(dataset, source_key)`` of the probes that not exactly one register person fits."""
    if not probes:
        return []
    table = pa.table(
        {
            "dataset": [p.dataset for p in probes],
            "source_key": [p.source_key for p in probes],
            "national_id": [p.national_id for p in probes],
            "birth_date": pa.array([p.birth_date for p in probes], pa.date32()),
            "birth_date_precision": [p.birth_date_precision for p in probes],
        }
    )
    with duckdb_session() as duck, arrow_connection(register_url) as pg:
        store_arrow(duck, "probe", table)
        persons = pg.read(
            "SELECT national_id::text AS national_id, full_name, gender::text AS gender, birth_date, "
            "birth_date_precision FROM dan_cu.persons"
        )
        store_arrow(duck, "register_persons", persons)
        rows = duck.execute(read_sql("generate/ambiguous_suggestions.sql")).fetchall()
    return [(str(dataset), str(key)) for dataset, key in rows]


def clear_ambiguous(register_url: str, sector_urls: dict[str, str], probes: dict[str, list[SuggestionProbe]]) -> int:
    """Remove expected name_birth_gender suggestions that are not unique; return how many."""
    ambiguous = ambiguous_probes(register_url, [probe for items in probes.values() for probe in items])
    by_dataset = {probe.dataset: sector for sector, items in probes.items() for probe in items}
    per_sector: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for dataset, key in ambiguous:
        per_sector[by_dataset[dataset]].append((dataset, key))
    for sector, rows in per_sector.items():
        with psycopg.connect(sector_urls[sector]) as conn, conn.cursor() as cur:
            cur.executemany(
                "UPDATE ground_truth.expected SET expected_suggested_national_id = NULL, "
                "expected_suggestion_method = NULL WHERE dataset = %s AND source_key = %s",
                rows,
            )
    _log.info("name_birth_gender suggestions: %d not unique in the register, cleared", len(ambiguous))
    return len(ambiguous)
