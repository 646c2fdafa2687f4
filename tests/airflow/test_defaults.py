"""What every popsync DAG gets from its settings: retries, back-off, the worker's name."""

from datetime import timedelta

import pytest

from popsync.airflow.defaults import default_args
from popsync.airflow.hostname import node_name


def test_retries_and_back_off_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPSYNC_TASK_RETRIES", "5")
    monkeypatch.setenv("POPSYNC_RETRY_DELAY_SECONDS", "7")
    args = default_args("bhyt-data-team")
    assert args["owner"] == "bhyt-data-team"
    assert args["retries"] == 5
    assert args["retry_delay"] == timedelta(seconds=7)
    assert args["retry_exponential_backoff"] == 2.0
    monkeypatch.delenv("POPSYNC_TASK_RETRIES")
    assert default_args("x")["retries"] == 2


def test_a_worker_names_itself_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POPSYNC_HOSTNAME", "airflow-worker-2")
    assert node_name() == "airflow-worker-2"
    monkeypatch.setenv("POPSYNC_HOSTNAME", "")
    assert node_name() and node_name() != "airflow-worker-2"
