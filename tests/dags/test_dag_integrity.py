"""DAG integrity: every DAG imports, and carries owner, tags, doc_md and retries."""

import itertools
from typing import Any

import pytest

from popsync.sectors import load_sectors
from popsync.settings import PROJECT_DIR

DATASET_TASKS = ["extract", "normalise", "reconcile", "quality_gate", "publish", "publish_metrics"]


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_DIR / "dags"), safe_mode=False)


def test_no_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}


def test_one_dag_per_sector_plus_the_reference_mirror_and_register_feedback(dagbag: Any) -> None:
    expected = {"sync_reference", "register_feedback"} | {sector.dag_id for sector in load_sectors()}
    assert set(dagbag.dag_ids) == expected


def test_every_dag_is_documented_owned_tagged_and_retried(dagbag: Any) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.doc_md and len(dag.doc_md) > 100, dag_id
        assert dag.tags and "popsync" in dag.tags, dag_id
        assert dag.max_active_runs == 1, dag_id
        for task in dag.tasks:
            assert task.owner not in ("", "airflow"), (dag_id, task.task_id)
            assert task.retries >= 1, (dag_id, task.task_id)
            assert task.retry_exponential_backoff, (dag_id, task.task_id)


def test_sector_dags_run_every_stage_per_dataset_in_order(dagbag: Any) -> None:
    for sector in load_sectors():
        dag = dagbag.dags[sector.dag_id]
        for dataset in sector.datasets:
            ids = [f"{dataset.name}.{name}" for name in DATASET_TASKS]
            assert set(ids) <= set(dag.task_ids), sector.dag_id
            for upstream, downstream in itertools.pairwise(ids):
                assert downstream in dag.get_task(upstream).downstream_task_ids, (upstream, downstream)
        timetable = dag.timetable
        assert type(timetable).__name__ == "AssetOrTimeSchedule", sector.dag_id
        assert timetable.timetable.expression == sector.schedule, sector.dag_id


def test_publish_metrics_emits_the_dataset_asset(dagbag: Any) -> None:
    for sector in load_sectors():
        dag = dagbag.dags[sector.dag_id]
        for dataset in sector.datasets:
            outlets = dag.get_task(f"{dataset.name}.publish_metrics").outlets
            assert [outlet.name for outlet in outlets] == [f"popsync.sync.{sector.sector}.{dataset.name}"]
