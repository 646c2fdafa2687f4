"""The LocalExecutor with Great Expectations imported before it forks its workers.

``AIRFLOW__CORE__EXECUTOR=popsync.airflow.executors.PreloadingLocalExecutor`` (set by
``local/airflow_env.py`` for the local job). The scheduler creates the executor and calls ``start()``,
which forks the worker processes (multiprocessing's fork start method); each worker's
supervisor forks the task processes. Importing here, before the forks, puts GX in every task
process without an import of its own.
"""

from airflow.executors.local_executor import LocalExecutor

from popsync.airflow.preload import preload_engines


class PreloadingLocalExecutor(LocalExecutor):
    """LocalExecutor whose worker processes start with Great Expectations imported."""

    def start(self) -> None:
        if self.is_mp_using_fork:
            preload_engines()
        super().start()
