"""What the local job prints about a run, and how it recognises its own runs."""

from popsync.local.api_client import DagRunInfo
from popsync.local.job import JobOwner, RunProgress


def test_a_progress_line_names_the_run_its_tasks_and_time() -> None:
    progress = RunProgress("sync_education", "run-1", "running", 7, 12, 2, 1, (), 3.25)
    assert progress.line() == "  sync_education               running    7/12  tasks, 2 running, 1 retried     3.2 s"
    assert not progress.finished
    assert RunProgress("sync_education", "run-1", "success", 12, 12, 0, 0, (), 9.0).succeeded


def test_the_job_recognises_itself_and_a_dead_job() -> None:
    me = JobOwner.current()
    assert me.is_alive() is True
    assert JobOwner.of(DagRunInfo("sync_education", "run-1", "running", "manual", me.conf())) == me
    assert JobOwner.of(DagRunInfo("sync_education", "run-2", "running", "scheduled", {})) is None
    assert JobOwner(me.host, 2**22 + 12345).is_alive() is False
    assert JobOwner("another-host.invalid", 1).is_alive() is None
