"""Host name that Airflow records on task instances (``[core] hostname_callable``).

With host networking every container of the stack shares the machine's host name, so two
Celery workers would be indistinguishable in the UI: each worker sets ``POPSYNC_HOSTNAME``.
"""

import socket

from popsync.settings import hostname_override


def node_name() -> str:
    """``POPSYNC_HOSTNAME`` when set, else the fully qualified host name."""
    return hostname_override() or socket.getfqdn()
