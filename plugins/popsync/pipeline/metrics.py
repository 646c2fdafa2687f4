"""Sync-rate metrics of one run: totals, reason counts, and the same per province.

Beside the rate over all records, a dataset that maps ``is_active`` gets the rate over the
records in force (valid cards, enrolled pupils, pensions being paid): the figure provinces
publish. A record whose ``is_active`` is NULL counts as not in force. Datasets without
``is_active`` have ``active_total = active_matched = None``.
"""

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from popsync.db.sql_files import read_sql

if TYPE_CHECKING:  # DuckDB is imported by the stage that runs it, not by whoever reads a result
    import duckdb


def _rate(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class ProvinceCounts:
    province_code: str
    total: int
    matched: int
    mismatched: int
    active_total: int | None = None
    active_matched: int | None = None
    reason_counts: dict[str, int] = field(default_factory=dict)
    """Records per reason code in this province (a record counts once per reason)."""

    @property
    def sync_rate(self) -> float | None:
        return _rate(self.matched, self.total)

    @property
    def active_sync_rate(self) -> float | None:
        return _rate(self.active_matched, self.active_total)


@dataclass(frozen=True)
class RunMetrics:
    """What one run of one dataset found."""

    total: int
    matched: int
    mismatched: int
    reason_counts: dict[str, int]
    provinces: list[ProvinceCounts] = field(default_factory=list)
    active_total: int | None = None
    """Records in force; None when the dataset has no ``is_active``."""
    active_matched: int | None = None
    """Records in force that matched the register."""

    @property
    def sync_rate(self) -> float | None:
        return _rate(self.matched, self.total)

    @property
    def active_sync_rate(self) -> float | None:
        return _rate(self.active_matched, self.active_total)

    def to_json(self) -> dict[str, Any]:
        """JSON-friendly form, for XCom and the Asset event."""
        return asdict(self)

    @classmethod
    def combine(cls, parts: "list[RunMetrics]") -> "RunMetrics":
        """The metrics of a run from those of its buckets: every count is a sum (the counts of
        records in force stay None when the dataset has no ``is_active``)."""
        reasons: dict[str, int] = {}
        provinces: dict[str, list[ProvinceCounts]] = {}
        for part in parts:
            for reason, count in part.reason_counts.items():
                reasons[reason] = reasons.get(reason, 0) + count
            for p in part.provinces:
                provinces.setdefault(p.province_code, []).append(p)
        return cls(
            total=sum(part.total for part in parts),
            matched=sum(part.matched for part in parts),
            mismatched=sum(part.mismatched for part in parts),
            reason_counts=dict(sorted(reasons.items())),
            provinces=[
                ProvinceCounts(
                    code,
                    sum(p.total for p in counts),
                    sum(p.matched for p in counts),
                    sum(p.mismatched for p in counts),
                    _optional_sum([p.active_total for p in counts]),
                    _optional_sum([p.active_matched for p in counts]),
                    _summed([p.reason_counts for p in counts]),
                )
                for code, counts in sorted(provinces.items())
            ],
            active_total=_optional_sum([part.active_total for part in parts]),
            active_matched=_optional_sum([part.active_matched for part in parts]),
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RunMetrics":
        provinces = [ProvinceCounts(**item) for item in data.get("provinces", [])]
        return cls(
            total=int(data["total"]),
            matched=int(data["matched"]),
            mismatched=int(data["mismatched"]),
            reason_counts={str(k): int(v) for k, v in data["reason_counts"].items()},
            provinces=provinces,
            active_total=_optional_int(data.get("active_total")),
            active_matched=_optional_int(data.get("active_matched")),
        )


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _summed(counts: list[dict[str, int]]) -> dict[str, int]:
    """Reason counts added up, by reason."""
    total: dict[str, int] = {}
    for part in counts:
        for reason, records in part.items():
            total[reason] = total.get(reason, 0) + records
    return dict(sorted(total.items()))


def _optional_sum(values: list[int | None]) -> int | None:
    """The sum of counts that exist; None when none does (the dataset has no ``is_active``)."""
    present = [value for value in values if value is not None]
    return sum(present) if present else None


def compute_metrics(duck: "duckdb.DuckDBPyConnection", has_active: bool = False) -> RunMetrics:
    """Aggregate the ``reconciled`` table of a reconcile session.

    ``has_active``: the dataset maps ``is_active``, so the rate over records in force is reported.
    """
    by_province: dict[str, dict[str, int]] = {}
    for code, reason, records in duck.execute(read_sql("duckdb/province_reason_counts.sql")).fetchall():
        by_province.setdefault(str(code), {})[str(reason)] = int(records)
    provinces = [
        ProvinceCounts(
            str(code),
            int(total),
            int(matched),
            int(mismatched),
            int(active_total) if has_active else None,
            int(active_matched) if has_active else None,
            by_province.get(str(code), {}),
        )
        for code, total, matched, mismatched, active_total, active_matched in duck.execute(
            read_sql("duckdb/metrics.sql")
        ).fetchall()
    ]
    reasons = {
        str(reason): int(count) for reason, count in duck.execute(read_sql("duckdb/reason_counts.sql")).fetchall()
    }
    return RunMetrics(
        total=sum(p.total for p in provinces),
        matched=sum(p.matched for p in provinces),
        mismatched=sum(p.mismatched for p in provinces),
        reason_counts=reasons,
        provinces=provinces,
        active_total=sum(p.active_total or 0 for p in provinces) if has_active else None,
        active_matched=sum(p.active_matched or 0 for p in provinces) if has_active else None,
    )
