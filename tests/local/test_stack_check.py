"""What the stack checks read from Airflow's REST API: mapped task instances (buckets) and their tries."""

from datetime import UTC, datetime

from popsync.local.api_client import _task_instance_info
from popsync.local.stack_check import SectorCheck, _seconds_after


def test_a_mapped_task_instance_is_labelled_by_its_bucket() -> None:
    item = {
        "id": "0196-aa",
        "task_id": "cards.reconcile",
        "state": "running",
        "try_number": 1,
        "hostname": "airflow-worker-2",
        "queue": "default",
        "map_index": 2,
        "rendered_map_index": "2/4",
        "start_date": "2026-12-07T01:00:05.5Z",
        "end_date": None,
    }
    ti = _task_instance_info(item)
    assert (ti.map_index, ti.hostname, ti.label) == (2, "airflow-worker-2", "cards.reconcile[2/4]")
    unmapped = _task_instance_info({**item, "map_index": -1, "rendered_map_index": None})
    assert unmapped.label == "cards.reconcile"
    assert _task_instance_info({**item, "rendered_map_index": None}).label == "cards.reconcile[2]"


def test_a_try_from_the_history_endpoint_has_no_id_and_is_timed_from_the_kill() -> None:
    history = {"task_id": "cards.reconcile", "state": "failed", "try_number": 1, "hostname": "airflow-worker-1",
               "map_index": 0, "start_date": "2026-12-07T01:00:00Z", "end_date": "2026-12-07T01:00:41.25Z"}  # fmt: skip
    ti = _task_instance_info(history)
    assert ti.id == "" and ti.state == "failed"
    killed = datetime(2026, 12, 7, 1, 0, 3, tzinfo=UTC)
    assert _seconds_after(killed, ti.end_date) == "38.2 s"
    assert _seconds_after(killed, None) == "?"


def test_a_sector_check_line_says_what_failed() -> None:
    assert SectorCheck("GET /popsync/api/overview sectors", False, "200 ['education', 'justice']").line() == (
        "  FAILED  GET /popsync/api/overview sectors: 200 ['education', 'justice']"
    )
