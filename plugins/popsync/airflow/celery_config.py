"""Celery configuration of the stack: Airflow's default, plus Great Expectations preloaded.

``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS=popsync.airflow.celery_config.CELERY_CONFIG``
(docker-compose.yml). Celery's ``worker_init`` signal fires in the worker's main process before
its prefork pool forks the child processes; each child's task supervisor forks the task
processes. So GX is imported once per worker container, not once per task. Importing this
module (the scheduler does, to send tasks) costs nothing: the preload runs only in a worker.
"""

from typing import Any

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG
from celery.signals import worker_init

from popsync.airflow.preload import preload_engines

CELERY_CONFIG: dict[str, Any] = dict(DEFAULT_CELERY_CONFIG)


@worker_init.connect
def _preload_before_the_pool_forks(**_: Any) -> None:
    preload_engines()
