"""Defaults shared by every popsync DAG."""

import os
from datetime import timedelta
from typing import Any


def default_args(owner: str) -> dict[str, Any]:
    """Owner plus retries with exponential back-off (``POPSYNC_TASK_RETRIES``, default 2; first delay
    ``POPSYNC_RETRY_DELAY_SECONDS``, default 30)."""
    return {
        "owner": owner,
        "retries": int(os.environ.get("POPSYNC_TASK_RETRIES", "2")),
        "retry_delay": timedelta(seconds=int(os.environ.get("POPSYNC_RETRY_DELAY_SECONDS", "30"))),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=10),
    }
