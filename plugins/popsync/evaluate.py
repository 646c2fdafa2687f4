"""Score the published results against the generator's ground truth."""

from dataclasses import dataclass, field

from popsync.db.arrow_io import adbc_connection
from popsync.db.duck import duckdb_session, store_arrow
from popsync.db.sql_files import read_sql
from popsync.sectors.model import SectorDefinition
from popsync.settings import WAREHOUSE_CONN_ID


@dataclass(frozen=True)
class CodeScore:
    code: str
    expected: int
    found: int
    precision: float | None
    recall: float | None


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
    active_sync_rate_published: float | None = None
    """The rate over records in force of the latest published run (``sync.latest_sync_rate``)."""
    active_sync_rate_true: float | None = None
    """The same rate as the generator intended it (``ground_truth.expected.expected_active``)."""
    active_total_published: int | None = None
    active_total_true: int | None = None

    @property
    def active_rate_agrees(self) -> bool:
        """Both rates over records in force are absent, or equal to the 6th decimal."""
        published, true = self.active_sync_rate_published, self.active_sync_rate_true
        if published is None or true is None:
            return published is None and true is None
        return abs(published - true) < 1e-6 and self.active_total_published == self.active_total_true

    @property
    def perfect(self) -> bool:
        return (
            self.missing == 0
            and self.extra == 0
            and self.wrong_reasons == 0
            and all(score.precision in (1.0, None) and score.recall in (1.0, None) for score in self.codes)
            and self.active_rate_agrees
        )


def evaluate_dataset(sector: SectorDefinition, dataset: str) -> DatasetEvaluation:
    """Compare ``sync.matches``/``sync.mismatches`` of one dataset with ``ground_truth.expected``."""
    with duckdb_session() as duck:
        with adbc_connection(sector.conn_id) as source:
            expected = source.read(
                "SELECT source_key, expected_reasons, expected_suggested_national_id, expected_suggestion_method, "
                "expected_active FROM ground_truth.expected WHERE dataset = $1",
                (dataset,),
            )
            store_arrow(duck, "expected_all", expected)
            duck.execute("CREATE VIEW expected AS SELECT source_key, expected_reasons FROM expected_all")
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
            store_arrow(duck, "actual", actual)
            suggestions = warehouse.read(
                "SELECT source_key, suggested_national_id AS national_id, details->'suggestion'->>'method' AS method "
                "FROM sync.mismatches WHERE sector = $1 AND dataset = $2 AND suggested_national_id IS NOT NULL",
                (sector.sector, dataset),
            )
            store_arrow(duck, "actual_suggestions", suggestions)
            published = warehouse.read(
                "SELECT active_total, active_sync_rate FROM sync.latest_sync_rate WHERE sector = $1 AND dataset = $2",
                (sector.sector, dataset),
            )
            store_arrow(duck, "published_rate", published)
        codes = [
            CodeScore(str(code), int(expected), int(found), precision, recall)
            for code, expected, found, precision, recall in duck.execute(read_sql("duckdb/evaluate.sql")).fetchall()
        ]
        summary = duck.execute(read_sql("duckdb/evaluate_summary.sql")).fetchone()
        active_true = duck.execute(read_sql("duckdb/evaluate_active.sql")).fetchone()
        active_published = duck.execute("SELECT active_total, active_sync_rate FROM published_rate").fetchone()
        suggestions = [
            CodeScore(str(method), int(expected), int(found), precision, recall)
            for method, expected, found, precision, recall in duck.execute(
                read_sql("duckdb/evaluate_suggestions.sql")
            ).fetchall()
        ]
    assert summary is not None and active_true is not None
    active_total_true, active_rate_true = active_true
    active_total_published, active_rate_published = active_published or (None, None)
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
        suggestions=suggestions,
        active_sync_rate_published=active_rate_published,
        active_sync_rate_true=active_rate_true,
        active_total_published=None if active_total_published is None else int(active_total_published),
        active_total_true=int(active_total_true) if active_rate_true is not None else None,
    )


def format_evaluation(result: DatasetEvaluation) -> str:
    """A plain-text table of one dataset's scores."""
    rate = "n/a" if result.sync_rate_computed is None else f"{result.sync_rate_computed:.4f}"
    true_rate = "n/a" if result.sync_rate_true is None else f"{result.sync_rate_true:.4f}"
    lines = [
        f"{result.sector}.{result.dataset}: {result.truth_records} records in truth, {result.result_records} in "
        f"results, missing {result.missing}, extra {result.extra}, wrong reason sets {result.wrong_reasons}; "
        f"sync rate computed {rate} vs true {true_rate}",
        _active_line(result),
        f"  {'code':<18}{'expected':>10}{'found':>10}{'precision':>11}{'recall':>9}",
    ]
    for score in result.codes:
        precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
        recall = "n/a" if score.recall is None else f"{score.recall:.3f}"
        lines.append(f"  {score.code:<18}{score.expected:>10}{score.found:>10}{precision:>11}{recall:>9}")
    if result.suggestions:
        lines.append(f"  {'suggestion method':<18}{'expected':>10}{'found':>10}{'precision':>11}{'recall':>9}")
        for score in result.suggestions:
            precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
            recall = "n/a" if score.recall is None else f"{score.recall:.3f}"
            lines.append(f"  {score.code:<18}{score.expected:>10}{score.found:>10}{precision:>11}{recall:>9}")
    return "\n".join(lines)


def _active_line(result: DatasetEvaluation) -> str:
    if result.active_sync_rate_true is None and result.active_sync_rate_published is None:
        return "  rate over records in force: n/a (the dataset has no is_active)"
    published = "n/a" if result.active_sync_rate_published is None else f"{result.active_sync_rate_published:.4f}"
    true = "n/a" if result.active_sync_rate_true is None else f"{result.active_sync_rate_true:.4f}"
    verdict = "agrees" if result.active_rate_agrees else "DIFFERS"
    return (
        f"  rate over records in force: published {published} ({result.active_total_published} in force) "
        f"vs true {true} ({result.active_total_true} in force): {verdict}"
    )
