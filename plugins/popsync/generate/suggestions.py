"""Ground truth of name_birth_gender suggestions, which depend on the whole register.

Whether a record's name, gender and birth date single out one register person depends on the
whole register, which no chunk sees; so the generator collects these records while streaming
and settles them once the register is loaded:

* a record of a register person keeps its expected suggestion (its own person) only when
  exactly one register person fits;
* a record of a person outside the register, whom exactly one register person (a stranger)
  fits, gets that stranger as the suggestion the rules give: "follows the rule" expects it,
  "points at the true person" counts it wrong (``true_national_id`` is NULL).
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
from popsync.domain.provinces import PROVINCE_CODES
from popsync.domain.provinces_now import CURRENT_OF

_log = logging.getLogger(__name__)


def province_successors() -> pa.Table:
    """Each province code of either table (a current code is its seat's former code) and the
    current province it belongs to: the generator's own copy of ``reference.provinces``."""
    return pa.table(
        {
            "code": pa.array(list(CURRENT_OF), pa.string()),
            "current_code": pa.array(list(CURRENT_OF.values()), pa.string()),
        }
    )


@dataclass(frozen=True)
class SuggestionProbe:
    """A record the rules may suggest a person for by name, birth date and gender."""

    dataset: str
    source_key: str
    national_id: str | None
    """The record's own register person (None: the person is not in the register)."""
    full_name: str
    gender: str
    birth_date: datetime.date
    birth_date_precision: str
    record_id: str | None = None
    """The record's ID as written without separators (its digits are evidence; None when missing)."""


@dataclass(frozen=True)
class ProbeResult:
    dataset: str
    source_key: str
    candidates: int
    national_id: str | None
    """The single suggested ID the rules give (None: no candidate, or a candidate list)."""


def probe_register(
    register_url: str, probes: Sequence[SuggestionProbe], linked: pa.Table | None = None
) -> list[ProbeResult]:
    """How many register persons fit each probe, and the single suggestion the rules give.

    ``linked`` (dataset, national_id): the persons each dataset's records link to, from the
    generator's own truth; a candidate linked elsewhere is not plausible."""
    if not probes:
        return []
    table = pa.table(
        {
            "dataset": [p.dataset for p in probes],
            "source_key": [p.source_key for p in probes],
            "full_name": [p.full_name for p in probes],
            "gender": [p.gender for p in probes],
            "birth_date": pa.array([p.birth_date for p in probes], pa.date32()),
            "birth_date_precision": [p.birth_date_precision for p in probes],
            "record_id": pa.array([p.record_id for p in probes], pa.string()),
        }
    )
    if linked is None:
        linked = pa.table({"dataset": pa.array([], pa.string()), "national_id": pa.array([], pa.string())})
    with duckdb_session(task=False) as duck, arrow_connection(register_url) as pg:
        store_arrow(duck, "probe", table)
        store_arrow(duck, "linked", linked)
        store_arrow(duck, "province_codes", pa.table({"code": pa.array(list(PROVINCE_CODES), pa.string())}))
        persons = pg.read(read_sql("generate/register_persons.sql"))
        store_arrow(duck, "register_persons", persons)
        store_arrow(duck, "province_successors", province_successors())
        rows = duck.execute(read_sql("generate/ambiguous_suggestions.sql")).fetchall()
    return [
        ProbeResult(str(dataset), str(key), int(count), None if nid is None else str(nid))
        for dataset, key, count, nid in rows
    ]


def _linked(sector_urls: dict[str, str]) -> pa.Table:
    """The persons each dataset's records link to (the generator's truth), every sector."""
    tables = []
    for url in sector_urls.values():
        with arrow_connection(url) as pg:
            tables.append(pg.read(read_sql("generate/linked_persons.sql")).read_all())
    if not tables:
        return pa.table({"dataset": pa.array([], pa.string()), "national_id": pa.array([], pa.string())})
    return pa.concat_tables(tables, promote_options="permissive")


def settle_probes(register_url: str, sector_urls: dict[str, str], probes: dict[str, list[SuggestionProbe]]) -> int:
    """Settle name_birth_gender suggestions against the whole register and the datasets' links;
    return how many changed. (An ID-method suggestion stays when another record links to its
    person: the record is a second record of that person with an ID one slip away.)"""
    flat = [probe for items in probes.values() for probe in items]
    own = {(p.dataset, p.source_key): p.national_id for p in flat if p.national_id is not None}
    by_dataset = {probe.dataset: sector for sector, items in probes.items() for probe in items}
    updates: dict[str, list[tuple[str | None, str | None, str, str]]] = defaultdict(list)
    changed = strangers = 0
    for result in probe_register(register_url, flat, _linked(sector_urls) if flat else None):
        key = (result.dataset, result.source_key)
        if result.national_id == own.get(key):
            continue
        method = "name_birth_gender" if result.national_id is not None else None
        updates[by_dataset[result.dataset]].append((result.national_id, method, *key))
        changed += 1
        if result.national_id is not None:
            strangers += 1
    for sector, rows in updates.items():
        with psycopg.connect(sector_urls[sector]) as conn, conn.cursor() as cur:
            cur.executemany(read_sql("generate/settle_suggestion.sql"), rows)
    _log.info(
        "name_birth_gender suggestions: %d changed by the whole register (no single suggestion, or "
        "%d a stranger the rules suggest)",
        changed,
        strangers,
    )
    return changed
