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
    buckets: int = 1
    """How many buckets the plan step split the dataset into (``pipeline/plan.py``)."""
    full_run: bool = False
    """Classify every record even when the dataset's runs are incremental (the DAG run's conf `{"full_run": true}`)."""
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

    def bucket_table(self, kind: str, bucket: int) -> tuple[str, str]:
        """The table one bucket writes its results of ``kind`` (a key of :meth:`result_tables`) into.

        With one bucket it is the dataset's run table itself; with several, each bucket has its
        own table, and the publish step attaches them all under the dataset's run table.
        """
        tables = self.result_tables()
        if kind not in tables:
            raise ValueError(f"unknown result kind {kind!r}")
        if not 0 <= bucket < self.buckets:
            raise ValueError(f"bucket {bucket} is outside 0..{self.buckets - 1}")
        if self.buckets == 1:
            return tables[kind]
        short = {"suggestion_candidates": "candidates"}.get(kind, kind)
        return "sync_partitions", _table_name(short, self.dataset_prefix, f"{self.run_tag}{self.attempt}_b{bucket}")

    def delta_table(self, kind: str) -> tuple[str, str]:
        """What an incremental run's table of ``kind`` is renamed to when it is published: the leaf
        holding the records the run classified, beside the carried leaves (``pipeline/carried.py``)."""
        short = {"suggestion_candidates": "candidates"}.get(kind, kind)
        return "sync_partitions", _table_name(short, self.dataset_prefix, f"{self.run_tag}{self.attempt}_d")

    @property
    def excluded_keys_table(self) -> tuple[str, str]:
        """An incremental run's keys not carried over (classified again, or removed at the source)."""
        return "sync_partitions", _table_name("excluded", self.dataset_prefix, self.run_tag + self.attempt)

    def bucket_tables(self, bucket: int) -> dict[str, tuple[str, str]]:
        """Every result table one bucket writes, by kind."""
        return {kind: self.bucket_table(kind, bucket) for kind in self.result_tables()}

    @property
    def work_folder_name(self) -> str:
        """Folder below ``<work_dir>/runs/`` for the files the plan step hands to the buckets.

        Starts with the dataset prefix, so the janitor finds a killed run's folder.
        """
        return f"{self.dataset_prefix}__{self.run_tag}{self.attempt}"

    def with_buckets(self, buckets: int) -> "DatasetRun":
        """The same run split into ``buckets`` buckets."""
        if buckets < 1:
            raise ValueError("a run has at least one bucket")
        return replace(self, buckets=buckets)

    def with_new_attempt(self) -> "DatasetRun":
        """The same run with a fresh attempt suffix for its result tables."""
        return replace(self, attempt="_" + secrets.token_hex(3))

    def sector_partition(self, kind: str) -> tuple[str, str]:
        """The per-sector partition of ``sync.matches`` / ``sync.mismatches`` / ``sync.suggestion_candidates``."""
        return "sync_partitions", _table_name(kind, self.sector.sector)
