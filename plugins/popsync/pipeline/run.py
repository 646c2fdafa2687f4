"""Identity of one dataset run and the names of the tables it writes."""

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from popsync.pipeline.fates import DeadRuns
from popsync.sectors.model import DatasetDefinition, SectorDefinition


def _table_name(*parts: str) -> str:
    """Join parts with ``__``; shorten with a hash when over PostgreSQL's 63 characters."""
    name = "__".join(parts)
    if len(name) <= 63:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]
    return f"{name[:52]}_{digest}"


@dataclass(frozen=True)
class DatasetRun:
    """One run of one dataset: which sector, which logical date, which Airflow run."""

    sector: SectorDefinition
    dataset: DatasetDefinition
    run_id: str
    logical_date: datetime
    attempt: str = ""
    """Distinguishes the result tables of each reconcile attempt of the same run."""
    dead_runs: DeadRuns | None = field(default=None, compare=False, repr=False)
    """The orchestrator's answer to which other runs are dead (the janitor drops their tables)."""

    @property
    def run_tag(self) -> str:
        """Short stable tag of the run id, safe inside table names."""
        return "r" + hashlib.sha1(self.run_id.encode()).hexdigest()[:10]

    @property
    def label(self) -> str:
        return f"{self.sector.sector}.{self.dataset.name}"

    @property
    def dataset_prefix(self) -> str:
        return f"{self.sector.sector}__{self.dataset.name}"

    @property
    def matches_table(self) -> tuple[str, str]:
        return "sync_partitions", _table_name("matches", self.dataset_prefix, self.run_tag + self.attempt)

    @property
    def mismatches_table(self) -> tuple[str, str]:
        return "sync_partitions", _table_name("mismatches", self.dataset_prefix, self.run_tag + self.attempt)

    @property
    def candidates_table(self) -> tuple[str, str]:
        """The run's table of candidate lists, published as a partition of ``sync.suggestion_candidates``."""
        return "sync_partitions", _table_name("candidates", self.dataset_prefix, self.run_tag + self.attempt)

    def result_tables(self) -> dict[str, tuple[str, str]]:
        """Every result table of the run, by the ``sync`` table it becomes a partition of."""
        return {
            "matches": self.matches_table,
            "mismatches": self.mismatches_table,
            "suggestion_candidates": self.candidates_table,
        }

    def with_new_attempt(self) -> "DatasetRun":
        """The same run with a fresh attempt suffix for its result tables."""
        return replace(self, attempt="_" + secrets.token_hex(3))

    def sector_partition(self, kind: str) -> tuple[str, str]:
        """The per-sector partition of ``sync.matches`` / ``sync.mismatches`` / ``sync.suggestion_candidates``."""
        return "sync_partitions", _table_name(kind, self.sector.sector)
