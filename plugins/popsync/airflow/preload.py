"""Import the heavy engines once in a long-lived Airflow process, before it forks task processes.

Airflow 3 runs each task in a process forked from its supervisor, and the supervisor runs in a
worker process forked from the scheduler (LocalExecutor) or from Celery's pool parent. A module
imported before those forks is in every task process for free: ``import great_expectations``
(seconds) is paid once per worker, not once per dataset run. The cost is memory: the forked
task processes map the preloaded pages (counted in their resident set, shared until written).
"""

import logging
import time

from popsync.settings import get_settings

_log = logging.getLogger(__name__)


def preload_engines() -> None:
    """Import and warm Great Expectations (one tiny validation) unless ``POPSYNC_PRELOAD_GX`` is off."""
    if not get_settings().preload_gx:
        _log.info("Great Expectations not preloaded (POPSYNC_PRELOAD_GX=false)")
        return
    started = time.perf_counter()
    try:
        from popsync.quality.gx_validation import preload

        preload()
    except Exception:  # the tasks import it themselves then: slower, still correct
        _log.exception("Great Expectations could not be preloaded")
        return
    _log.warning("popsync: Great Expectations preloaded in %.2f s", time.perf_counter() - started)
