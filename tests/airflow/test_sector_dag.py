"""The sector DAG factory builds each dataset's tasks from the declared stage list alone.

``pipeline.sequence.STAGES`` says what a dataset run is (names, order, and each stage's kind);
the factory spells no stage name or task id of its own, so the list is the one description.
"""

import inspect
import itertools
from typing import Any

import pytest

from popsync.airflow import sector_dag
from popsync.pipeline.sequence import STAGES
from popsync.sectors import load_sectors

SECTOR = load_sectors()[0]


@pytest.fixture(scope="module")
def dag() -> Any:
    return sector_dag.build_sector_dag(SECTOR)


def test_the_factory_spells_out_no_stage_name() -> None:
    source = inspect.getsource(sector_dag)
    for stage in STAGES:
        for quoted in (f'"{stage.name}"', f"'{stage.name}'", f'.{stage.name}"'):
            assert quoted not in source, f"sector_dag.py names the stage {stage.name!r}: read it from STAGES"


def test_each_dataset_has_one_task_per_declared_stage_in_order(dag: Any) -> None:
    for dataset in SECTOR.datasets:
        ids = [f"{dataset.name}.{stage.name}" for stage in STAGES]
        assert sorted(task_id for task_id in dag.task_ids if task_id.startswith(f"{dataset.name}.")) == sorted(ids)
        for stage, task_id in zip(STAGES, ids, strict=True):
            task = dag.get_task(task_id)
            if stage.kind == "per_bucket":
                assert task.is_mapped, task_id
            if stage.kind == "fan_out":
                assert task.upstream_task_ids == set(), task_id
        for upstream, downstream in itertools.pairwise(ids):
            assert downstream in dag.get_task(upstream).downstream_task_ids, (upstream, downstream)


def test_the_approval_reads_the_state_of_the_stage_before_it_and_the_next_stage_runs_when_it_skips(dag: Any) -> None:
    names = [stage.name for stage in STAGES]
    for index, stage in enumerate(STAGES):
        if stage.kind != "approval":
            continue
        for dataset in SECTOR.datasets:
            approval = dag.get_task(f"{dataset.name}.{stage.name}")
            assert approval.state_task_id == f"{dataset.name}.{names[index - 1]}"
            following = dag.get_task(f"{dataset.name}.{names[index + 1]}")
            assert following.trigger_rule == "none_failed"
            assert approval.task_id in following.upstream_task_ids
    others = [stage for index, stage in enumerate(STAGES) if index == 0 or STAGES[index - 1].kind != "approval"]
    for stage in others:
        for dataset in SECTOR.datasets:
            assert dag.get_task(f"{dataset.name}.{stage.name}").trigger_rule == "all_success", stage.name
