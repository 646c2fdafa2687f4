"""Score the published results against the generator's ground truth.

Reason codes are scored on the records whose faults the rules cover; records carrying a fault
family beyond the rules are scored apart ("beyond the rules"), never hidden. Suggestions are
scored two ways: "follows the rule" (the suggestion the rules give, which may be a stranger who
shares a name, birth date and gender) and "points at the true person" (the person the record
is about), with the records that got a candidate list instead of a single suggestion.
"""

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from popsync.db.arrow_io import ArrowConnection, adbc_connection
from popsync.db.duck import duckdb_session, store_arrow
from popsync.db.sql_files import read_sql
from popsync.sectors.model import SectorDefinition
from popsync.settings import WAREHOUSE_CONN_ID

_CANDIDATES_TABLE = "sync.suggestion_candidates"


@dataclass(frozen=True)
class CodeScore:
    code: str
    expected: int
    found: int
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class TruePersonScore:
    """Suggestions of one method (or ``all``) against the person each record is about."""

    method: str
    unlinked: int | None
    """``all`` only: records that do not link, and of them ``in_register`` whose person is in the register."""
    in_register: int | None
    singles: int
    singles_right: int
    lists: int
    """Records given a candidate list (two or more candidates) instead of a single suggestion."""
    lists_right: int

    @property
    def precision(self) -> float | None:
        return self.singles_right / self.singles if self.singles else None

    @property
    def coverage(self) -> float | None:
        """Share of the records whose person is in the register that got that person as single suggestion."""
        return self.singles_right / self.in_register if self.in_register else None


@dataclass(frozen=True)
class DatasetEvaluation:
    sector: str
    dataset: str
    truth_records: int
    result_records: int
    missing: int
    extra: int
    wrong_reasons: int
    sync_rate_computed: float | None
    sync_rate_true: float | None
    codes: list[CodeScore]
    suggestions: list[CodeScore] = field(default_factory=list)
    """Per suggestion method (``code`` is the method): right = the expected ID by the expected method."""
    true_person: list[TruePersonScore] = field(default_factory=list)
    beyond_rules: list[CodeScore] = field(default_factory=list)
    """Reason codes of the records carrying a fault family beyond the rules (scored apart)."""
    beyond_records: int = 0
    beyond_wrong: int = 0

    @property
    def perfect(self) -> bool:
        return (
            self.missing == 0
            and self.extra == 0
            and self.wrong_reasons == 0
            and all(score.precision in (1.0, None) and score.recall in (1.0, None) for score in self.codes)
        )


def _scores(duck: object, file: str) -> list[CodeScore]:
    rows = duck.execute(read_sql(file)).fetchall()  # type: ignore[attr-defined]
    return [
        CodeScore(str(code), int(expected), int(found), precision, recall)
        for code, expected, found, precision, recall in rows
    ]


def evaluate_dataset(sector: SectorDefinition, dataset: str) -> DatasetEvaluation:
    """Compare ``sync.matches``/``sync.mismatches`` of one dataset with ``ground_truth.expected``."""
    with duckdb_session() as duck:
        with adbc_connection(sector.conn_id) as source:
            expected = source.read(
                "SELECT source_key, expected_reasons, expected_suggested_national_id, expected_suggestion_method, "
                "true_national_id, beyond_rules FROM ground_truth.expected WHERE dataset = $1",
                (dataset,),
            )
            store_arrow(duck, "expected_all", expected)
            duck.execute(
                "CREATE VIEW expected_suggestions AS SELECT source_key, expected_suggested_national_id AS national_id, "
                "expected_suggestion_method AS method FROM expected_all WHERE expected_suggestion_method IS NOT NULL"
            )
        with adbc_connection(WAREHOUSE_CONN_ID) as warehouse:
            actual = warehouse.read(
                "SELECT source_key, ARRAY[]::text[] AS reasons FROM sync.matches WHERE sector = $1 AND dataset = $2 "
                "UNION ALL SELECT source_key, reasons FROM sync.mismatches WHERE sector = $1 AND dataset = $2",
                (sector.sector, dataset),
            )
            store_arrow(duck, "actual_all", actual)
            suggestions = warehouse.read(
                "SELECT source_key, suggested_national_id AS national_id, details->'suggestion'->>'method' AS method "
                "FROM sync.mismatches WHERE sector = $1 AND dataset = $2 AND suggested_national_id IS NOT NULL",
                (sector.sector, dataset),
            )
            store_arrow(duck, "actual_suggestions", suggestions)
            store_arrow(duck, "candidate_lists", _candidate_lists(warehouse, sector.sector, dataset))
        summary, codes = _scope(duck, beyond=False)
        beyond_summary, beyond_codes = _scope(duck, beyond=True)
        suggestion_scores = _scores(duck, "duckdb/evaluate_suggestions.sql")
        true_person = [
            TruePersonScore(str(method), unlinked, in_register, *(int(value) for value in counts))
            for method, unlinked, in_register, *counts in duck.execute(
                read_sql("duckdb/evaluate_true_person.sql")
            ).fetchall()
        ]
    truth_records, result_records, missing, extra, wrong_reasons, rate_computed, rate_true = summary
    return DatasetEvaluation(
        sector=sector.sector,
        dataset=dataset,
        truth_records=int(truth_records),
        result_records=int(result_records),
        missing=int(missing),
        extra=int(extra),
        wrong_reasons=int(wrong_reasons),
        sync_rate_computed=rate_computed,
        sync_rate_true=rate_true,
        codes=codes,
        suggestions=suggestion_scores,
        true_person=true_person,
        beyond_rules=beyond_codes,
        beyond_records=int(beyond_summary[0]),
        beyond_wrong=int(beyond_summary[4]),
    )


def _scope(duck: duckdb.DuckDBPyConnection, *, beyond: bool) -> tuple[tuple[Any, ...], list[CodeScore]]:
    """Summary and code scores of the records within the rules (or, ``beyond``, those beyond them)."""
    condition = "IS NOT NULL" if beyond else "IS NULL"
    execute = duck.execute
    execute("CREATE OR REPLACE VIEW beyond_keys AS SELECT source_key FROM expected_all WHERE beyond_rules IS NOT NULL")
    execute(
        "CREATE OR REPLACE VIEW expected AS SELECT source_key, expected_reasons FROM expected_all "
        f"WHERE beyond_rules {condition}"
    )
    keep = "IN" if beyond else "NOT IN"
    execute(
        f"CREATE OR REPLACE VIEW actual AS SELECT * FROM actual_all WHERE source_key {keep} "
        "(SELECT source_key FROM beyond_keys WHERE source_key IS NOT NULL)"
    )
    summary = execute(read_sql("duckdb/evaluate_summary.sql")).fetchone()
    assert summary is not None
    return tuple(summary), _scores(duck, "duckdb/evaluate.sql")


def _candidate_lists(warehouse: ArrowConnection, sector: str, dataset: str) -> pa.RecordBatchReader:
    """The dataset's published candidate lists, or an empty table where the warehouse has none yet."""
    read = warehouse.read
    present = read("SELECT to_regclass($1) IS NOT NULL AS present", (_CANDIDATES_TABLE,)).read_all().column(0)[0]
    if present.as_py():
        return read(
            "SELECT source_key, candidate_national_id, method, rank FROM sync.suggestion_candidates "
            "WHERE sector = $1 AND dataset = $2",
            (sector, dataset),
        )
    return read(
        "SELECT NULL::text AS source_key, NULL::text AS candidate_national_id, NULL::text AS method, "
        "NULL::int AS rank WHERE false"
    )


def format_evaluation(result: DatasetEvaluation) -> str:
    """A plain-text table of one dataset's scores."""
    rate = "n/a" if result.sync_rate_computed is None else f"{result.sync_rate_computed:.4f}"
    true_rate = "n/a" if result.sync_rate_true is None else f"{result.sync_rate_true:.4f}"
    lines = [
        f"{result.sector}.{result.dataset}: {result.truth_records} records in truth, {result.result_records} in "
        f"results, missing {result.missing}, extra {result.extra}, wrong reason sets {result.wrong_reasons}; "
        f"sync rate computed {rate} vs true {true_rate}",
        f"  {'code':<18}{'expected':>10}{'found':>10}{'precision':>11}{'recall':>9}",
    ]
    for score in result.codes:
        precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
        recall = "n/a" if score.recall is None else f"{score.recall:.3f}"
        lines.append(f"  {score.code:<18}{score.expected:>10}{score.found:>10}{precision:>11}{recall:>9}")
    if result.suggestions:
        lines.append(f"  {'follows the rule':<18}{'expected':>10}{'found':>10}{'precision':>11}{'recall':>9}")
        for score in result.suggestions:
            precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
            recall = "n/a" if score.recall is None else f"{score.recall:.3f}"
            lines.append(f"  {score.code:<18}{score.expected:>10}{score.found:>10}{precision:>11}{recall:>9}")
    lines += _true_person_lines(result.true_person)
    if result.beyond_records:
        lines.append(
            f"  beyond the rules: {result.beyond_records} records (fault families no rule covers, scored apart), "
            f"wrong reason sets {result.beyond_wrong}"
        )
        for score in result.beyond_rules:
            precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
            recall = "n/a" if score.recall is None else f"{score.recall:.3f}"
            lines.append(f"  {score.code:<18}{score.expected:>10}{score.found:>10}{precision:>11}{recall:>9}")
    return "\n".join(lines)


def _true_person_lines(scores: list[TruePersonScore]) -> list[str]:
    if not scores:
        return []
    lines = [f"  {'true person':<18}{'single':>10}{'right':>10}{'precision':>11}{'lists':>9}{'list has':>10}"]
    for score in scores:
        precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
        lines.append(
            f"  {score.method:<18}{score.singles:>10}{score.singles_right:>10}{precision:>11}"
            f"{score.lists:>9}{score.lists_right:>10}"
        )
        if score.method == "all":
            coverage = "n/a" if score.coverage is None else f"{score.coverage:.3f}"
            lines.append(
                f"  {score.unlinked} records do not link, {score.in_register} of them are about a register person; "
                f"{coverage} of those got that person as their single suggestion, {score.lists} got a candidate list"
            )
    return lines
