"""Defaults shared by every popsync DAG."""

from datetime import timedelta
from typing import Any

from popsync.settings import retry_delay_seconds, task_retries


def default_args(owner: str) -> dict[str, Any]:
    """Owner plus retries with exponential back-off (``POPSYNC_TASK_RETRIES``, default 2; first delay
    ``POPSYNC_RETRY_DELAY_SECONDS``, default 30)."""
    return {
        "owner": owner,
        "retries": task_retries(),
        "retry_delay": timedelta(seconds=retry_delay_seconds()),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=10),
    }
