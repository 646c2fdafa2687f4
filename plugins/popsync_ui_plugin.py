"""Airflow plugin: popsync's pages (overview, provinces, reasons, mismatch workbench) in the Airflow UI.

The FastAPI app is served by the API server under ``/popsync/``; the nav entries embed its pages.
"""

from airflow.plugins_manager import AirflowPlugin

from popsync.web.app import MOUNT_PATH, create_app

_CATEGORY = "popsync"


class PopsyncUiPlugin(AirflowPlugin):
    name = "popsync_ui"
    fastapi_apps = [{"app": create_app(), "url_prefix": MOUNT_PATH, "name": "popsync"}]  # noqa: RUF012
    external_views = [  # noqa: RUF012
        {
            "name": "popsync",
            "href": f"{MOUNT_PATH}/",
            "destination": "nav",
            "category": _CATEGORY,
            "url_route": "popsync",
            "nav_top_level": True,
        },
        {
            "name": "popsync: Bản ghi lệch / Mismatches",
            "href": f"{MOUNT_PATH}/mismatches",
            "destination": "nav",
            "category": _CATEGORY,
            "url_route": "popsync-mismatches",
        },
    ]
