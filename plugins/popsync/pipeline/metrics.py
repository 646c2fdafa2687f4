"""Sync-rate metrics of one run: totals, reason counts, and the same per province."""

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from popsync.db.sql_files import read_sql

if TYPE_CHECKING:  # DuckDB is imported by the stage that runs it, not by whoever reads a result
    import duckdb


@dataclass(frozen=True)
class ProvinceCounts:
    province_code: str
    total: int
    matched: int
    mismatched: int

    @property
    def sync_rate(self) -> float | None:
        return self.matched / self.total if self.total else None


@dataclass(frozen=True)
class RunMetrics:
    """What one run of one dataset found."""

    total: int
    matched: int
    mismatched: int
    reason_counts: dict[str, int]
    provinces: list[ProvinceCounts] = field(default_factory=list)

    @property
    def sync_rate(self) -> float | None:
        return self.matched / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form, for XCom and the Asset event."""
        return asdict(self)

    @classmethod
    def combine(cls, parts: "list[RunMetrics]") -> "RunMetrics":
        """The metrics of a run from those of its buckets: every count is a sum."""
        reasons: dict[str, int] = {}
        provinces: dict[str, tuple[int, int, int]] = {}
        for part in parts:
            for reason, count in part.reason_counts.items():
                reasons[reason] = reasons.get(reason, 0) + count
            for p in part.provinces:
                total, matched, mismatched = provinces.get(p.province_code, (0, 0, 0))
                provinces[p.province_code] = (total + p.total, matched + p.matched, mismatched + p.mismatched)
        return cls(
            total=sum(part.total for part in parts),
            matched=sum(part.matched for part in parts),
            mismatched=sum(part.mismatched for part in parts),
            reason_counts=dict(sorted(reasons.items())),
            provinces=[ProvinceCounts(code, *counts) for code, counts in sorted(provinces.items())],
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunMetrics":
        provinces = [ProvinceCounts(**item) for item in data.get("provinces", [])]
        return cls(
            total=int(data["total"]),
            matched=int(data["matched"]),
            mismatched=int(data["mismatched"]),
            reason_counts={str(k): int(v) for k, v in data["reason_counts"].items()},
            provinces=provinces,
        )


def compute_metrics(duck: "duckdb.DuckDBPyConnection") -> RunMetrics:
    """Aggregate the ``reconciled`` table of a reconcile session."""
    provinces = [
        ProvinceCounts(str(code), int(total), int(matched), int(mismatched))
        for code, total, matched, mismatched in duck.execute(read_sql("duckdb/metrics.sql")).fetchall()
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
    )
