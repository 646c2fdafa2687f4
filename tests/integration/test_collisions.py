"""The pipeline on a register with forced collisions (tests/integration/conftest.py: ``COLLISIONS``).

Name, birth-date and gender twins and shared former CMNDs, rare at a few thousand persons and
common at national size, are forced into the session's generated data; every reason code must
still score precision = recall = 1.000, and every suggestion must be the one the rules give.
"""

from typing import Any

import psycopg

from popsync.generate.evaluate import evaluate_dataset
from popsync.local.dag_runner import DagRunResult
from popsync.sectors import load_sectors
from popsync.settings import Settings


def _register_collisions(settings: Settings) -> tuple[int, int]:
    with psycopg.connect(settings.database_url_for("popsync_register")) as conn:
        row: Any = conn.execute(
            "SELECT (SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM dan_cu.persons "
            "GROUP BY lower(full_name), gender, birth_date HAVING count(*) > 1) t), "
            "(SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM dan_cu.persons WHERE former_cmnd IS NOT NULL "
            "GROUP BY former_cmnd HAVING count(*) > 1) c)"
        ).fetchone()
    return int(row[0]), int(row[1])


def test_the_register_has_twins_and_shared_cmnds(first_runs: dict[str, DagRunResult], settings: Settings) -> None:
    twins, shared = _register_collisions(settings)
    assert twins >= 50 and shared >= 20, (twins, shared)


def test_reasons_and_suggestions_are_exact_despite_collisions(first_runs: dict[str, DagRunResult]) -> None:
    singles = right = 0
    for sector in load_sectors():
        for dataset in sector.datasets:
            evaluation = evaluate_dataset(sector, dataset.name)
            assert (evaluation.missing, evaluation.extra, evaluation.wrong_reasons) == (0, 0, 0), evaluation
            for score in evaluation.codes:
                assert (score.precision, score.recall) == (1.0, 1.0), (dataset.name, score)
            for score in evaluation.suggestions:  # follows the rule
                assert (score.precision, score.recall) in ((1.0, 1.0), (None, None)), (dataset.name, score)
            total = next(score for score in evaluation.true_person if score.method == "all")
            singles, right = singles + total.singles, right + total.singles_right
    # points at the true person: a rule-following suggestion may name a stranger, but rarely
    assert singles and right / singles >= 0.95, (singles, right)
