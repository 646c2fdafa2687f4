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

    @property
    def perfect(self) -> bool:
        return (
            self.missing == 0
            and self.extra == 0
            and self.wrong_reasons == 0
            and all(score.precision in (1.0, None) and score.recall in (1.0, None) for score in self.codes)
        )


def evaluate_dataset(sector: SectorDefinition, dataset: str) -> DatasetEvaluation:
    """Compare ``sync.matches``/``sync.mismatches`` of one dataset with ``ground_truth.expected``."""
    with duckdb_session() as duck:
        with adbc_connection(sector.conn_id) as source:
            expected = source.read(
                "SELECT source_key, expected_reasons, expected_suggested_national_id, expected_suggestion_method "
                "FROM ground_truth.expected WHERE dataset = $1",
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
        codes = [
            CodeScore(str(code), int(expected), int(found), precision, recall)
            for code, expected, found, precision, recall in duck.execute(read_sql("duckdb/evaluate.sql")).fetchall()
        ]
        summary = duck.execute(read_sql("duckdb/evaluate_summary.sql")).fetchone()
        suggestions = [
            CodeScore(str(method), int(expected), int(found), precision, recall)
            for method, expected, found, precision, recall in duck.execute(
                read_sql("duckdb/evaluate_suggestions.sql")
            ).fetchall()
        ]
    assert summary is not None
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
        lines.append(f"  {'suggestion method':<18}{'expected':>10}{'found':>10}{'precision':>11}{'recall':>9}")
        for score in result.suggestions:
            precision = "n/a" if score.precision is None else f"{score.precision:.3f}"
            recall = "n/a" if score.recall is None else f"{score.recall:.3f}"
            lines.append(f"  {score.code:<18}{score.expected:>10}{score.found:>10}{precision:>11}{recall:>9}")
    return "\n".join(lines)
