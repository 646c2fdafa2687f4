"""Host name that Airflow records on task instances (``[core] hostname_callable``).

With host networking every container of the stack shares the machine's host name, so two
Celery workers would be indistinguishable in the UI: each worker sets ``POPSYNC_HOSTNAME``.
"""

import os
import socket


def node_name() -> str:
    """``POPSYNC_HOSTNAME`` when set, else the fully qualified host name."""
    return os.environ.get("POPSYNC_HOSTNAME") or socket.getfqdn()
