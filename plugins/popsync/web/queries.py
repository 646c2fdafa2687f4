"""The web app's reads of the ``sync`` contract (SQL in ``include/sql/web/``), as typed rows."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg import sql

from popsync.db.sql_files import read_sql
from popsync.web.db import Connection
from popsync.web.filters import Cursor, MismatchFilter
from popsync.web.province_reference import ProvinceReference

LIFECYCLE_TABLE = "sync.mismatch_lifecycle"
TREND_RUNS = 30


@dataclass(frozen=True)
class SectorRollup:
    sector: str
    datasets: int
    total: int
    matched: int
    mismatched: int
    sync_rate: float | None
    active_total: int | None = None
    active_matched: int | None = None
    active_sync_rate: float | None = None
    """Over the datasets that report records in force (None when none does)."""


@dataclass(frozen=True)
class DatasetLatest:
    sector: str
    dataset: str
    run_id: str
    logical_date: datetime
    total: int
    matched: int
    mismatched: int
    sync_rate: float | None
    quality_status: str
    previous_rate: float | None
    warning_count: int
    new_mismatches: int | None
    resolved_mismatches: int | None
    active_total: int | None = None
    """Records in force (is_active true); None for datasets without is_active."""
    active_matched: int | None = None
    active_sync_rate: float | None = None

    @property
    def change_points(self) -> float | None:
        """Change of the sync rate against the previous run, in percentage points."""
        if self.sync_rate is None or self.previous_rate is None:
            return None
        return (self.sync_rate - self.previous_rate) * 100


@dataclass(frozen=True)
class TrendPoint:
    sector: str
    dataset: str
    logical_date: datetime
    sync_rate: float | None
    reason_counts: dict[str, int]


@dataclass(frozen=True)
class ProvinceRate:
    province_code: str
    total: int
    matched: int
    mismatched: int
    sync_rate: float | None
    active_total: int | None = None
    active_sync_rate: float | None = None
    active_matched: int | None = None


@dataclass(frozen=True)
class UnregisteredDeaths:
    sector: str
    dataset: str
    residence_province: str | None
    residence_commune: str
    deaths: int
    first_death: date | None
    last_death: date | None


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    records: int


@dataclass(frozen=True)
class ReasonDay:
    run_day: date
    reason: str
    records: int


@dataclass(frozen=True)
class MismatchRow:
    sector: str
    dataset: str
    source_key: str
    national_id: str | None
    linked_national_id: str | None
    province_code: str | None
    reasons: tuple[str, ...]
    first_seen: datetime
    status: str
    verdict: str | None
    run_id: str


@dataclass(frozen=True)
class SuggestionCandidate:
    """One register person that fits a record that does not link (``sync.suggestion_candidates``)."""

    rank: int
    national_id: str
    method: str
    confidence: float
    suggested: bool
    evidence: dict[str, Any]


@dataclass(frozen=True)
class MismatchRecord:
    sector: str
    dataset: str
    source_key: str
    national_id: str | None
    linked_national_id: str | None
    province_code: str | None
    reasons: tuple[str, ...]
    details: dict[str, Any]
    first_seen: datetime
    run_id: str
    logical_date: datetime
    suggested_national_id: str | None = None
    candidates: tuple[SuggestionCandidate, ...] = ()


@dataclass(frozen=True)
class RegisterPerson:
    national_id: str
    full_name: str
    birth_date: date | None
    birth_date_precision: str
    gender: str
    is_deceased: bool
    date_of_death: date | None
    residence_province: str | None


def sector_rollup(conn: Connection, sectors: Sequence[str]) -> list[SectorRollup]:
    rows = conn.execute(read_sql("web/rollup.sql"), {"sectors": list(sectors)}).fetchall()
    return [
        SectorRollup(
            str(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), _float(r[5]), _int(r[6]), _int(r[7]), _float(r[8])
        )
        for r in rows
    ]


def latest_datasets(conn: Connection, sectors: Sequence[str]) -> list[DatasetLatest]:
    rows = conn.execute(read_sql("web/latest_datasets.sql"), {"sectors": list(sectors)}).fetchall()
    return [
        DatasetLatest(
            sector=str(r[0]),
            dataset=str(r[1]),
            run_id=str(r[2]),
            logical_date=r[3],
            total=int(r[4]),
            matched=int(r[5]),
            mismatched=int(r[6]),
            sync_rate=_float(r[7]),
            quality_status=str(r[8]),
            previous_rate=_float(r[9]),
            warning_count=int(r[10]),
            new_mismatches=None if r[11] is None else int(r[11]),
            resolved_mismatches=None if r[12] is None else int(r[12]),
            active_total=_int(r[13]),
            active_matched=_int(r[14]),
            active_sync_rate=_float(r[15]),
        )
        for r in rows
    ]


def trend(conn: Connection, sectors: Sequence[str], runs: int = TREND_RUNS) -> list[TrendPoint]:
    rows = conn.execute(read_sql("web/trend.sql"), {"sectors": list(sectors), "runs": runs}).fetchall()
    return [
        TrendPoint(str(r[0]), str(r[1]), r[2], _float(r[3]), {str(k): int(v) for k, v in (r[4] or {}).items()})
        for r in rows
    ]


def province_rates(conn: Connection, sectors: Sequence[str], dataset: str | None) -> list[ProvinceRate]:
    rows = conn.execute(read_sql("web/provinces.sql"), {"sectors": list(sectors), "dataset": dataset}).fetchall()
    return [
        ProvinceRate(str(r[0]), int(r[1]), int(r[2]), int(r[3]), _float(r[4]), _int(r[5]), _float(r[6]), _int(r[7]))
        for r in rows
    ]


def _codes(provinces: Sequence[str] | None) -> list[str] | None:
    """Province codes as a query parameter: None (SQL NULL) stands for every province."""
    return None if provinces is None else list(provinces)


def reason_counts(
    conn: Connection, sectors: Sequence[str], dataset: str | None, provinces: Sequence[str] | None = None
) -> list[ReasonCount]:
    """Records per reason over the latest runs; ``provinces``: only these province codes (as recorded)."""
    params = {"sectors": list(sectors), "dataset": dataset, "provinces": _codes(provinces)}
    rows = conn.execute(read_sql("web/reasons.sql"), params).fetchall()
    return [ReasonCount(str(r[0]), int(r[1])) for r in rows]


def unregistered_deaths(conn: Connection, sectors: Sequence[str]) -> list[UnregisteredDeaths]:
    rows = conn.execute(read_sql("web/unregistered_deaths.sql"), {"sectors": list(sectors)}).fetchall()
    return [UnregisteredDeaths(str(r[0]), str(r[1]), r[2], str(r[3]), int(r[4]), r[5], r[6]) for r in rows]


def reason_trend(
    conn: Connection,
    sectors: Sequence[str],
    dataset: str | None,
    days: int = 30,
    provinces: Sequence[str] | None = None,
) -> list[ReasonDay]:
    """Records per reason per run day; ``provinces``: only these province codes (as recorded)."""
    params = {"sectors": list(sectors), "dataset": dataset, "days": days, "provinces": _codes(provinces)}
    rows = conn.execute(read_sql("web/reason_trend.sql"), params).fetchall()
    return [ReasonDay(r[0], str(r[1]), int(r[2])) for r in rows]


def published_datasets(conn: Connection, sectors: Sequence[str]) -> list[tuple[str, str]]:
    rows = conn.execute(read_sql("web/datasets.sql"), {"sectors": list(sectors)}).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def mismatch_query(with_lifecycle: bool, status: str | None = None) -> sql.Composed:
    """``web/mismatches.sql`` with the lifecycle relation (empty when the review tables are absent).

    Resolved mismatches (``status`` 'resolved') are no longer in ``sync.mismatches``: they come
    from the lifecycle (``web/resolved_mismatches.sql``, the same columns and parameters).
    """
    if status == "resolved" and with_lifecycle:
        return sql.Composed([sql.SQL(_strip_comments(read_sql("web/resolved_mismatches.sql")).rstrip(";"))])
    fragment = read_sql("web/lifecycle_present.sql" if with_lifecycle else "web/lifecycle_absent.sql")
    text = _strip_comments(read_sql("web/mismatches.sql")).rstrip(";")
    return sql.SQL(text).format(lifecycle=sql.SQL(_strip_comments(fragment)))


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).strip()


def _mismatch_row(r: Sequence[Any]) -> MismatchRow:
    return MismatchRow(
        sector=str(r[0]),
        dataset=str(r[1]),
        source_key=str(r[2]),
        national_id=r[3],
        linked_national_id=r[4],
        province_code=r[5],
        reasons=tuple(r[6]),
        first_seen=r[7],
        status=str(r[8]),
        verdict=r[9],
        run_id=str(r[10]),
    )


def mismatch_page(
    conn: Connection,
    criteria: MismatchFilter,
    sectors: Sequence[str],
    *,
    after: Cursor | None,
    page_size: int,
    with_lifecycle: bool,
    reference: ProvinceReference,
) -> tuple[list[MismatchRow], Cursor | None]:
    """One page of rows and the cursor of the next page (None on the last page)."""
    params = criteria.sql_params(sectors, after=after, limit=page_size + 1, provinces=reference)
    rows = [_mismatch_row(r) for r in conn.execute(mismatch_query(with_lifecycle, criteria.status), params).fetchall()]
    if len(rows) <= page_size:
        return rows, None
    rows = rows[:page_size]
    last = rows[-1]
    return rows, Cursor(last.sector, last.dataset, last.source_key)


@dataclass
class CopyCount:
    """Rows sent by an export's COPY, known once it has finished."""

    rows: int = 0


def copy_mismatches_csv(
    conn: Connection,
    criteria: MismatchFilter,
    sectors: Sequence[str],
    *,
    with_lifecycle: bool,
    count: CopyCount,
    reference: ProvinceReference,
) -> Iterator[bytes]:
    """Every row of the filter as CSV chunks produced by PostgreSQL (``COPY ... TO STDOUT``, bounded memory)."""
    inner = mismatch_query(with_lifecycle, criteria.status)
    statement = sql.SQL(read_sql("web/export.sql").strip()).format(filtered=inner)
    params = {
        **criteria.sql_params(sectors, after=None, limit=None, provinces=reference),
        "province_codes": [row[0] for row in reference.former],
        "province_names": [row[1] for row in reference.former],
        "current_codes": [row[2] for row in reference.former],
        "current_names": [row[3] for row in reference.former],
    }
    with conn.cursor() as cursor:
        with cursor.copy(statement, params) as copy:
            for chunk in copy:
                yield bytes(chunk)
        count.rows = max(cursor.rowcount, 0)


def mismatch_record(conn: Connection, sector: str, dataset: str, source_key: str) -> MismatchRecord | None:
    key = {"sector": sector, "dataset": dataset, "source_key": source_key}
    r = conn.execute(read_sql("web/mismatch_record.sql"), key).fetchone()
    if r is None:
        return None
    return MismatchRecord(
        sector=str(r[0]),
        dataset=str(r[1]),
        source_key=str(r[2]),
        national_id=r[3],
        linked_national_id=r[4],
        province_code=r[5],
        reasons=tuple(r[6]),
        details=dict(r[7] or {}),
        first_seen=r[8],
        run_id=str(r[9]),
        logical_date=r[10],
        suggested_national_id=r[11],
        candidates=tuple(
            SuggestionCandidate(int(c[0]), str(c[1]), str(c[2]), float(c[3]), bool(c[4]), dict(c[5] or {}))
            for c in conn.execute(read_sql("web/suggestion_candidates.sql"), key).fetchall()
        ),
    )


def lifecycle_record(conn: Connection, sector: str, dataset: str, source_key: str) -> dict[str, Any] | None:
    key = {"sector": sector, "dataset": dataset, "source_key": source_key}
    row = conn.execute(read_sql("web/lifecycle_record.sql"), key).fetchone()
    return dict(row[0]) if row else None


def register_person(conn: Connection, national_id: str) -> RegisterPerson | None:
    r = conn.execute(read_sql("web/register_person.sql"), {"national_id": national_id}).fetchone()
    if r is None:
        return None
    return RegisterPerson(str(r[0]), str(r[1]), r[2], str(r[3]), str(r[4]), bool(r[5]), r[6], r[7])


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))
