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
import psycopg
import pyarrow as pa

from popsync.db.arrow_io import ArrowConnection, adbc_connection
from popsync.db.connections import connect
from popsync.db.duck import duckdb_session, store_arrow
from popsync.db.redact import describe_error
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
    beyond_suggestions: list[CodeScore] = field(default_factory=list)
    """Suggested IDs of those records against the rules' expectation (scored apart: the search may
    repair a family beyond the rules, which the expectation does not foresee)."""
    beyond_records: int = 0
    beyond_wrong: int = 0
    active_sync_rate_published: float | None = None
    """The rate over records in force of the latest published run (``sync.latest_sync_rate``)."""
    active_sync_rate_true: float | None = None
    """The same rate as the generator intended it (``ground_truth.expected.expected_active``), over
    the records within the rules (like ``sync_rate_true``)."""
    active_sync_rate_computed: float | None = None
    """The rate the published results give over the same records."""
    active_total_published: int | None = None
    active_total_true: int | None = None

    @property
    def active_rate_agrees(self) -> bool:
        """No rate in force on either side (no is_active), or the same records in force published as the
        generator made them and the same rate over the records within the rules."""
        published, true, computed = (
            self.active_sync_rate_published,
            self.active_sync_rate_true,
            self.active_sync_rate_computed,
        )
        if published is None or true is None or computed is None:
            return published is None and true is None
        return computed == true and self.active_total_published == self.active_total_true

    @property
    def perfect(self) -> bool:
        return (
            self.missing == 0
            and self.extra == 0
            and self.wrong_reasons == 0
            and all(score.precision in (1.0, None) and score.recall in (1.0, None) for score in self.codes)
            and self.active_rate_agrees
        )


def ground_truth_gap(sector: SectorDefinition, dataset: str) -> str | None:
    """Why ``dataset`` of ``sector`` cannot be scored, or None when its ground truth is there.

    Only data made by ``popsync generate`` has ground truth; a sector added by hand, or whose
    data was not generated, has none, and that is not an error.
    """
    try:
        with connect(sector.conn_id) as conn:
            present = conn.execute(read_sql("generate/ground_truth_present.sql")).fetchone()
            if not (present and present[0]):
                return "no ground truth (its database has no ground_truth.expected: not generated by popsync generate)"
            rows = conn.execute(read_sql("generate/ground_truth_rows.sql"), {"dataset": dataset}).fetchone()
    except psycopg.OperationalError as exc:
        return f"no ground truth reachable (cannot connect to {sector.conn_id}: {describe_error(exc)})"
    if not (rows and rows[0]):
        return "no ground truth (ground_truth.expected has no rows for this dataset)"
    return None


def _scores(duck: object, file: str) -> list[CodeScore]:
    rows = duck.execute(read_sql(file)).fetchall()  # type: ignore[attr-defined]
    return [
        CodeScore(str(code), int(expected), int(found), precision, recall)
        for code, expected, found, precision, recall in rows
    ]


def evaluate_dataset(sector: SectorDefinition, dataset: str) -> DatasetEvaluation:
    """Compare ``sync.matches``/``sync.mismatches`` of one dataset with ``ground_truth.expected``."""
    with duckdb_session(task=False) as duck:
        with adbc_connection(sector.conn_id) as source:
            expected = source.read(read_sql("evaluate/expected.sql"), (dataset,))
            store_arrow(duck, "expected_all", expected)
            duck.execute(f"CREATE VIEW expected_suggestions AS {read_sql('duckdb/evaluate_expected_suggestions.sql')}")
        with adbc_connection(WAREHOUSE_CONN_ID) as warehouse:
            scope = (sector.sector, dataset)
            store_arrow(duck, "actual_all", warehouse.read(read_sql("evaluate/published_reasons.sql"), scope))
            suggestions = warehouse.read(read_sql("evaluate/published_suggestions.sql"), scope)
            store_arrow(duck, "actual_suggestions", suggestions)
            store_arrow(duck, "candidate_lists", _candidate_lists(warehouse, sector.sector, dataset))
            published = warehouse.read(read_sql("evaluate/published_active_rate.sql"), scope)
            store_arrow(duck, "published_rate", published)
        summary, codes, suggestion_scores = _scope(duck, beyond=False)
        beyond_summary, beyond_codes, beyond_suggestions = _scope(duck, beyond=True)
        if _checks_deaths(sector, dataset):
            _load_unregistered(duck, sector, dataset)
            codes += _scores(duck, "duckdb/evaluate_unregistered.sql")
        active_true = duck.execute(read_sql("duckdb/evaluate_active.sql")).fetchone()
        active_published = duck.execute("SELECT active_total, active_sync_rate FROM published_rate").fetchone()
        true_person = [
            TruePersonScore(str(method), unlinked, in_register, *(int(value) for value in counts))
            for method, unlinked, in_register, *counts in duck.execute(
                read_sql("duckdb/evaluate_true_person.sql")
            ).fetchall()
        ]
    truth_records, result_records, missing, extra, wrong_reasons, rate_computed, rate_true = summary
    assert active_true is not None
    active_total_true, active_rate_true, active_rate_computed = active_true
    active_total_published, active_rate_published = active_published or (None, None)
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
        beyond_suggestions=beyond_suggestions,
        beyond_records=int(beyond_summary[0]),
        beyond_wrong=int(beyond_summary[4]),
        active_sync_rate_published=active_rate_published,
        active_sync_rate_true=active_rate_true,
        active_sync_rate_computed=active_rate_computed,
        active_total_published=None if active_total_published is None else int(active_total_published),
        active_total_true=int(active_total_true) if active_rate_true is not None else None,
    )


def _scope(
    duck: duckdb.DuckDBPyConnection, *, beyond: bool
) -> tuple[tuple[Any, ...], list[CodeScore], list[CodeScore]]:
    """Summary, code scores and "follows the rule" suggestion scores of the records within the
    rules (or, ``beyond``, those beyond them)."""
    duck.execute("SET VARIABLE beyond = ?", [beyond])
    duck.execute(read_sql("duckdb/evaluate_scope.sql"))
    summary = duck.execute(read_sql("duckdb/evaluate_summary.sql")).fetchone()
    assert summary is not None
    return tuple(summary), _scores(duck, "duckdb/evaluate.sql"), _scores(duck, "duckdb/evaluate_suggestions.sql")


def _candidate_lists(warehouse: ArrowConnection, sector: str, dataset: str) -> pa.RecordBatchReader:
    """The dataset's published candidate lists, or an empty table where the warehouse has none yet."""
    read = warehouse.read
    present = read(read_sql("evaluate/relation_present.sql"), (_CANDIDATES_TABLE,)).read_all().column(0)[0]
    if present.as_py():
        return read(read_sql("evaluate/published_candidates.sql"), (sector, dataset))
    return read(read_sql("evaluate/no_candidates.sql"))


def _checks_deaths(sector: SectorDefinition, dataset: str) -> bool:
    return any(item.name == dataset and item.columns.death_date is not None for item in sector.datasets)


def _load_unregistered(duck: duckdb.DuckDBPyConnection, sector: SectorDefinition, dataset: str) -> None:
    """Ground truth and published rows of ``sync.unregistered_deaths`` (scored as UNREGISTERED_DEATH)."""
    with adbc_connection(sector.conn_id) as source:
        expected = source.read(read_sql("evaluate/expected_unregistered.sql"), (dataset,))
        store_arrow(duck, "expected_unregistered", expected)
    with adbc_connection(WAREHOUSE_CONN_ID) as warehouse:
        actual = warehouse.read(read_sql("evaluate/published_unregistered.sql"), (sector.sector, dataset))
        store_arrow(duck, "actual_unregistered", actual)


def format_evaluation(result: DatasetEvaluation) -> str:
    """A plain-text table of one dataset's scores."""
    rate = "n/a" if result.sync_rate_computed is None else f"{result.sync_rate_computed:.4f}"
    true_rate = "n/a" if result.sync_rate_true is None else f"{result.sync_rate_true:.4f}"
    lines = [
        f"{result.sector}.{result.dataset}: {result.truth_records} records in truth, {result.result_records} in "
        f"results, missing {result.missing}, extra {result.extra}, wrong reason sets {result.wrong_reasons}; "
        f"sync rate computed {rate} vs true {true_rate}",
        _active_line(result),
        _SCORE_HEADER.format("code"),
    ]
    lines += _score_lines(result.codes)
    if result.suggestions:
        lines.append(_SCORE_HEADER.format("follows the rule"))
        lines += _score_lines(result.suggestions)
    lines += _true_person_lines(result.true_person)
    if result.beyond_records:
        lines.append(
            f"  beyond the rules: {result.beyond_records} records (fault families no rule covers, scored apart), "
            f"wrong reason sets {result.beyond_wrong}"
        )
        lines += _score_lines(result.beyond_rules)
        if result.beyond_suggestions:
            lines.append(_SCORE_HEADER.format("follows the rule"))
            lines += _score_lines(result.beyond_suggestions)
    return "\n".join(lines)


_SCORE_HEADER = "  {:<18}" + f"{'expected':>10}{'found':>10}{'precision':>11}{'recall':>9}"
"""The header of a table of scores, its first column named by ``format``."""


def _score_lines(scores: list[CodeScore]) -> list[str]:
    """One line per score: code, expected, found, precision and recall (n/a without a denominator)."""
    lines = []
    for score in scores:
        precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
        recall = "n/a" if score.recall is None else f"{score.recall:.3f}"
        lines.append(f"  {score.code:<18}{score.expected:>10}{score.found:>10}{precision:>11}{recall:>9}")
    return lines


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


def _active_line(result: DatasetEvaluation) -> str:
    if result.active_sync_rate_true is None and result.active_sync_rate_published is None:
        return "  rate over records in force: n/a (the dataset has no is_active)"
    published = "n/a" if result.active_sync_rate_published is None else f"{result.active_sync_rate_published:.4f}"
    true = "n/a" if result.active_sync_rate_true is None else f"{result.active_sync_rate_true:.4f}"
    computed = "n/a" if result.active_sync_rate_computed is None else f"{result.active_sync_rate_computed:.4f}"
    verdict = "agrees" if result.active_rate_agrees else "DIFFERS"
    return (
        f"  rate over records in force: published {published} ({result.active_total_published} in force, "
        f"truth {result.active_total_true}); within the rules computed {computed} vs true {true}: {verdict}"
    )
