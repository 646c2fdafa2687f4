"""DAG integrity, per DAG: it imports, and carries owner, tags, doc_md and retries."""

import itertools
from typing import Any

import pytest

from popsync.pipeline.sequence import STAGES
from popsync.sectors import load_sectors
from popsync.settings import PROJECT_DIR

SECTORS = {sector.dag_id: sector for sector in load_sectors()}
DAG_IDS = ["sync_reference", "popsync_maintenance", *SECTORS]


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_DIR / "dags"), safe_mode=False)


def test_no_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}


def test_one_dag_per_sector_plus_the_reference_mirror_and_maintenance(dagbag: Any) -> None:
    assert set(dagbag.dag_ids) == set(DAG_IDS)


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_dag_is_documented_owned_tagged_and_retried(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert dag.doc_md and len(dag.doc_md) > 100
    assert dag.tags and "popsync" in dag.tags
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.owner not in ("", "airflow"), task.task_id
        assert task.retries >= 1, task.task_id
        assert task.retry_exponential_backoff, task.task_id


@pytest.mark.parametrize("dag_id", list(SECTORS))
def test_sector_dag_runs_the_stage_sequence_per_dataset(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    sector = SECTORS[dag_id]
    for dataset in sector.datasets:
        ids = [f"{dataset.name}.{stage.name}" for stage in STAGES]
        assert set(ids) <= set(dag.task_ids)
        for upstream, downstream in itertools.pairwise(ids):
            assert downstream in dag.get_task(upstream).downstream_task_ids, (upstream, downstream)
    timetable = dag.timetable
    assert type(timetable).__name__ == "AssetOrTimeSchedule"
    assert timetable.timetable.expression == sector.schedule


@pytest.mark.parametrize("dag_id", list(SECTORS))
def test_last_stage_emits_the_dataset_asset(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    sector = SECTORS[dag_id]
    for dataset in sector.datasets:
        outlets = dag.get_task(f"{dataset.name}.{STAGES[-1].name}").outlets
        assert [outlet.name for outlet in outlets] == [f"popsync.sync.{sector.sector}.{dataset.name}"]
