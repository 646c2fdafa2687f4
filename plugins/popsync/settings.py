"""Runtime settings, read from environment variables (documented in docs/configuration.md)."""

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("POPSYNC_PROJECT_DIR", Path(__file__).resolve().parents[2]))
"""Root of the project: holds ``include/`` (SQL files, sector definitions)."""

INCLUDE_DIR = PROJECT_DIR / "include"
SQL_DIR = INCLUDE_DIR / "sql"
SECTORS_DIR = Path(os.environ.get("POPSYNC_SECTORS_DIR", INCLUDE_DIR / "sectors"))


def source_files_dir() -> Path:
    """Where relative paths of file sources point (``POPSYNC_SOURCE_FILES_DIR``; default ``data/sources``)."""
    return Path(os.environ.get("POPSYNC_SOURCE_FILES_DIR", PROJECT_DIR / "data" / "sources"))


WAREHOUSE_CONN_ID = "popsync_warehouse"
REGISTER_CONN_ID = "popsync_register"

WAREHOUSE_DATABASE = "popsync_warehouse"
REGISTER_DATABASE = "popsync_register"
AIRFLOW_DATABASE = "popsync_airflow"


DEFAULT_ROWS_PER_BUCKET = 1_000_000
"""Records per bucket when a dataset sets no ``buckets`` (docs/performance.md, "Partitioned dataset runs")."""


def _rows_per_bucket() -> int:
    raw = os.environ.get("POPSYNC_ROWS_PER_BUCKET", "").strip().replace("_", "")
    if raw == "":
        return DEFAULT_ROWS_PER_BUCKET
    if not raw.isdigit():
        raise ValueError(f"POPSYNC_ROWS_PER_BUCKET={raw!r}: expected a whole number of records (0 = never split)")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    """Where popsync keeps its state and which PostgreSQL server it talks to."""

    home: Path
    """Local state: embedded PostgreSQL data, Airflow home, Data Docs, work files."""
    database_url: str | None
    """An external PostgreSQL server (``postgresql://user:pass@host:port``); None = embedded."""
    embedded_port: int
    work_root: Path | None = None
    """Shared storage for files one task hands to the next (``POPSYNC_WORK_DIR``); None = ``home/work``.
    With several workers (the Celery stack) every worker must reach it: a shared volume or mount."""
    api_port: int = 8080
    """Port of the Airflow API server on 127.0.0.1 that the local job uses or starts (``POPSYNC_API_PORT``)."""
    rows_per_bucket: int = DEFAULT_ROWS_PER_BUCKET
    """Target records per bucket of a dataset run whose sector YAML sets no ``buckets``
    (``POPSYNC_ROWS_PER_BUCKET``); 0 = never split automatically."""
    preload_gx: bool = True
    """Import Great Expectations in long-lived Airflow processes before they fork tasks (``POPSYNC_PRELOAD_GX``)."""

    @property
    def uses_embedded_server(self) -> bool:
        return self.database_url is None

    @property
    def server_url(self) -> str:
        """URL of the PostgreSQL server without a database name."""
        if self.database_url is not None:
            return self.database_url.rstrip("/")
        return f"postgresql://postgres@127.0.0.1:{self.embedded_port}"

    def database_url_for(self, database: str) -> str:
        """URL of one database on the configured server."""
        base = self.server_url
        query = ""
        if "?" in base:
            base, query = base.split("?", 1)
            query = "?" + query
        scheme, rest = base.split("://", 1)
        authority = rest.split("/", 1)[0]
        return f"{scheme}://{authority}/{database}{query}"

    @property
    def pgdata_dir(self) -> Path:
        return self.home / "pgdata"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def gx_project_dir(self) -> Path:
        """Great Expectations File Data Context (suites, validation results, Data Docs).

        Beside the work directory, so that in the stack every worker and the API server share it."""
        return self.work_dir.parent / "gx"

    @property
    def data_docs_dir(self) -> Path:
        """GX's Data Docs site (``local_site`` of the File Data Context)."""
        return self.gx_project_dir / "gx" / "uncommitted" / "data_docs" / "local_site"

    @property
    def work_dir(self) -> Path:
        return self.work_root if self.work_root is not None else self.home / "work"


@dataclass(frozen=True)
class ApiCredentials:
    """A user of the Airflow API server (simple auth manager, or any manager behind ``/auth/token``)."""

    username: str
    password: str = field(repr=False)


def api_credentials() -> ApiCredentials | None:
    """``POPSYNC_API_USER`` / ``POPSYNC_API_PASSWORD``: the user popsync's REST client logs in as.

    None when no user is set: the client then asks for an all-admins token, which only the local
    single-user mode (``simple_auth_manager_all_admins``, 127.0.0.1) grants.
    """
    user = os.environ.get("POPSYNC_API_USER", "").strip()
    if not user:
        return None
    return ApiCredentials(username=user, password=os.environ.get("POPSYNC_API_PASSWORD", ""))


@cache
def get_settings() -> Settings:
    """Read the settings once per process."""
    home = Path(os.environ.get("POPSYNC_HOME", PROJECT_DIR / ".popsync")).resolve()
    url = os.environ.get("POPSYNC_DATABASE_URL") or None
    port = int(os.environ.get("POPSYNC_EMBEDDED_PORT", "55432"))
    work = os.environ.get("POPSYNC_WORK_DIR") or None
    api_port = int(os.environ.get("POPSYNC_API_PORT", "8080"))
    preload_gx = os.environ.get("POPSYNC_PRELOAD_GX", "true").strip().lower() not in ("0", "false", "no", "off")
    return Settings(
        home=home,
        database_url=url,
        embedded_port=port,
        work_root=None if work is None else Path(work).resolve(),
        api_port=api_port,
        rows_per_bucket=_rows_per_bucket(),
        preload_gx=preload_gx,
    )
