"""What each page shows, assembled from the queries (shared by the HTML pages and the JSON API)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from popsync.web import queries
from popsync.web.charts import Bar, Series, bar_chart, line_chart
from popsync.web.compare import FieldComparison, compare
from popsync.web.db import Connection
from popsync.web.i18n import REASONS, Translator
from popsync.web.province_reference import ProvinceReference

PROVINCE_SORTS = ("rate", "code", "name", "total", "mismatched")
ORDERS = ("asc", "desc")


@dataclass(frozen=True)
class Overview:
    rollup: list[queries.SectorRollup]
    datasets: list[queries.DatasetLatest]
    trend: list[queries.TrendPoint]

    def chart(self, t: Translator) -> Any:
        series: dict[tuple[str, str], list[tuple[Any, float]]] = {}
        for point in self.trend:
            if point.sync_rate is not None:
                series.setdefault((point.sector, point.dataset), []).append((point.logical_date, point.sync_rate))
        return line_chart([Series(f"{t.dataset(d)}", tuple(points)) for (_, d), points in series.items()])


def overview(conn: Connection, sectors: Sequence[str]) -> Overview:
    return Overview(
        rollup=queries.sector_rollup(conn, sectors),
        datasets=queries.latest_datasets(conn, sectors),
        trend=queries.trend(conn, sectors),
    )


@dataclass(frozen=True)
class ProvinceRow:
    rank: int
    code: str
    name: str
    total: int
    matched: int
    mismatched: int
    sync_rate: float | None
    active_total: int | None = None
    active_sync_rate: float | None = None
    formers: tuple[str, ...] = ()
    """A current province: the former province codes its records were reported under."""
    current_code: str | None = None
    """A former province (drill-down): the current province it is part of."""


def _by_current(rates: Sequence[queries.ProvinceRate], reference: ProvinceReference) -> list[queries.ProvinceRate]:
    """The rates of the 63 former codes summed per current province (unknown codes stay apart)."""
    sums: dict[str, list[int]] = {}
    actives: dict[str, list[int]] = {}
    for rate in rates:
        code = reference.current_of(rate.province_code) or rate.province_code
        total = sums.setdefault(code, [0, 0, 0])
        total[0] += rate.total
        total[1] += rate.matched
        total[2] += rate.mismatched
        if rate.active_total is not None and rate.active_matched is not None:
            active = actives.setdefault(code, [0, 0])
            active[0] += rate.active_total
            active[1] += rate.active_matched
    return [
        queries.ProvinceRate(
            code,
            total,
            matched,
            mismatched,
            matched / total if total else None,
            actives[code][0] if code in actives else None,
            actives[code][1] / actives[code][0] if code in actives and actives[code][0] else None,
            actives[code][1] if code in actives else None,
        )
        for code, (total, matched, mismatched) in sums.items()
    ]


def province_rows(
    conn: Connection,
    sectors: Sequence[str],
    dataset: str | None,
    sort: str,
    order: str,
    reference: ProvinceReference,
    current: str | None = None,
    former: bool = False,
) -> list[ProvinceRow]:
    """Rates per current province (default); ``current`` = one current province's former provinces
    (the drill-down); ``former`` = all 63 former provinces (the codes as recorded). Province names
    and groups come from ``reference`` (``reference.provinces``)."""
    raw = queries.province_rates(conn, sectors, dataset)
    if current is not None:
        rates = [r for r in raw if reference.current_of(r.province_code) == current]
    elif former:
        rates = raw
    else:
        rates = _by_current(raw, reference)
    drill = current is not None or former
    by_rate = sorted(rates, key=lambda r: (-(r.sync_rate or 0.0), r.province_code))
    rank = {r.province_code: index + 1 for index, r in enumerate(by_rate)}
    names = reference.former_names if drill else dict(reference.current)
    rows = [
        ProvinceRow(
            rank[r.province_code],
            r.province_code,
            names.get(r.province_code, r.province_code),
            r.total,
            r.matched,
            r.mismatched,
            r.sync_rate,
            r.active_total,
            r.active_sync_rate,
            () if drill else reference.formers_of(r.province_code),
            reference.current_of(r.province_code) if drill else None,
        )
        for r in rates
    ]
    keys = {
        "rate": lambda row: (row.sync_rate if row.sync_rate is not None else -1.0, row.code),
        "code": lambda row: row.code,
        "name": lambda row: row.name,
        "total": lambda row: (row.total, row.code),
        "mismatched": lambda row: (row.mismatched, row.code),
    }
    return sorted(rows, key=keys[sort], reverse=order == "desc")


def province_chart(rows: Sequence[ProvinceRow]) -> Any:
    rates = [row.sync_rate for row in rows if row.sync_rate is not None]
    floor = max(0.0, int((min(rates, default=0.0) - 0.02) * 20) / 20)  # a multiple of 5 %, below the lowest rate
    return bar_chart(
        [Bar(f"{row.name} ({row.code})", row.sync_rate or 0.0, f"{(row.sync_rate or 0.0) * 100:.2f}%") for row in rows],
        floor=floor,
    )


@dataclass(frozen=True)
class ReasonRow:
    code: str
    records: int
    explanation: str


@dataclass(frozen=True)
class Reasons:
    rows: list[ReasonRow]
    days: list[queries.ReasonDay]

    def bars(self) -> Any:
        top = max((row.records for row in self.rows), default=0) or 1
        return bar_chart([Bar(row.code, row.records / top, f"{row.records:,}") for row in self.rows])

    def chart(self) -> Any:
        from datetime import UTC, datetime, time

        series: dict[str, list[tuple[datetime, float]]] = {}
        for day in self.days:
            when = datetime.combine(day.run_day, time(), tzinfo=UTC)
            series.setdefault(day.reason, []).append((when, float(day.records)))
        return line_chart([Series(code, tuple(points)) for code, points in sorted(series.items())], percent=False)


def reasons(
    conn: Connection,
    sectors: Sequence[str],
    dataset: str | None,
    t: Translator,
    provinces: Sequence[str] | None = None,
) -> Reasons:
    """Reason counts and their trend; ``provinces``: only records of these province codes (as recorded:
    one current province's, from ``reference.provinces``)."""
    counts = {row.reason: row.records for row in queries.reason_counts(conn, sectors, dataset, provinces)}
    rows = [ReasonRow(code, counts.get(code, 0), t.reason(code)) for code in REASONS]
    rows += [ReasonRow(code, n, t.reason(code)) for code, n in counts.items() if code not in REASONS]
    rows.sort(key=lambda row: (-row.records, row.code))
    return Reasons(rows=rows, days=queries.reason_trend(conn, sectors, dataset, provinces=provinces))


@dataclass(frozen=True)
class RecordView:
    record: queries.MismatchRecord | None
    """None: a resolved mismatch, no longer in sync.mismatches (its lifecycle tells its story)."""
    person: queries.RegisterPerson | None
    fields: list[FieldComparison]
    lifecycle: dict[str, Any] | None
    verdicts: list[Any]

    @property
    def resolved(self) -> bool:
        return self.record is None


@dataclass(frozen=True)
class RecordData:
    record: queries.MismatchRecord | None
    lifecycle: dict[str, Any] | None
    verdicts: list[Any]

    def view(self, person: queries.RegisterPerson | None, t: Translator) -> RecordView:
        fields = [] if self.record is None else compare(self.record, person, t)
        return RecordView(self.record, person, fields, self.lifecycle, self.verdicts)


def record_data(conn: Connection, sector: str, dataset: str, source_key: str, *, review: bool) -> RecordData | None:
    """The record, its lifecycle and verdict history (run under the sector's role).

    A resolved mismatch (with the review tables) has no record any more: its lifecycle row and
    verdict history alone. None when neither exists.
    """
    record = queries.mismatch_record(conn, sector, dataset, source_key)
    if record is None and not review:
        return None
    lifecycle = None
    history: list[Any] = []
    if review:
        from popsync.review.verdicts import verdict_history

        lifecycle = queries.lifecycle_record(conn, sector, dataset, source_key)
        if record is None and (lifecycle is None or lifecycle.get("status") != "resolved"):
            return None
        history = list(verdict_history(conn, sector=sector, dataset=dataset, source_key=source_key))
    return RecordData(record, lifecycle, history)
