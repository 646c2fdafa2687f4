"""What a generation run produced."""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class GenerationReport:
    """Row counts per database and table, expected reason counts per dataset, elapsed time."""

    persons: int
    seed: int
    row_counts: Mapping[str, Mapping[str, int]]
    """Database -> ``schema.table`` -> rows written."""
    expected_reasons: Mapping[str, Mapping[str, int]]
    """``sector.dataset`` -> reason code -> records expected to carry it (``MATCHED``: no reason)."""
    elapsed_seconds: float

    @property
    def total_rows(self) -> int:
        return sum(sum(tables.values()) for tables in self.row_counts.values())

    def summary(self) -> str:
        """A few human-readable lines."""
        lines = [f"generated {self.total_rows:,} rows for {self.persons:,} persons in {self.elapsed_seconds:.1f} s"]
        for database, tables in self.row_counts.items():
            for table, rows in tables.items():
                lines.append(f"  {database}.{table}: {rows:,}")
        return "\n".join(lines)
