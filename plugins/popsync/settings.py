"""Runtime settings: every ``POPSYNC_*`` environment variable is read here (documented in docs/configuration.md).

Names that follow from them (databases, connection ids) have one helper each.
"""

import os
import re
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

SOURCE_DATABASE_PREFIX = "popsync_src_"
"""Each generated sector database is ``popsync_src_<sector>`` on the configured server."""
SOURCE_CONN_PREFIX = "popsync_source_"
"""Each sector's source is the Airflow connection ``popsync_source_<sector>`` (unless its YAML names one)."""


def source_database(sector: str) -> str:
    """Name of a sector's (generated) source database: the one naming rule for databases."""
    return SOURCE_DATABASE_PREFIX + sector


def source_conn_id(sector: str) -> str:
    """Default Airflow connection id of a sector's source: the one naming rule for connections."""
    return SOURCE_CONN_PREFIX + sector


def sector_of_source_conn(conn_id: str) -> str | None:
    """The sector a default source connection id names, or None for any other id."""
    return conn_id.removeprefix(SOURCE_CONN_PREFIX) if conn_id.startswith(SOURCE_CONN_PREFIX) else None


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


# --- Variables read at each call: they may differ between task processes of one worker, and tests
# --- change them within one process. Each is validated here, with a message naming it.

APPROVAL_TIMEOUT_ENV = "POPSYNC_APPROVAL_TIMEOUT_MINUTES"
JANITOR_GRACE_ENV = "POPSYNC_JANITOR_GRACE_HOURS"
KILL_AT_ENV = "POPSYNC_TEST_KILL_AT"
UI_SECTOR_ACCESS_ENV = "POPSYNC_UI_SECTOR_ACCESS"
DEFAULT_APPROVAL_TIMEOUT_MINUTES = 4 * 60  # below the janitor's grace (6 h) for unpublished result tables
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$", re.IGNORECASE)


def approval_timeout_minutes() -> float:
    """How long an operator has to answer a publish approval (``POPSYNC_APPROVAL_TIMEOUT_MINUTES``, 240)."""
    raw = os.environ.get(APPROVAL_TIMEOUT_ENV, str(DEFAULT_APPROVAL_TIMEOUT_MINUTES))
    try:
        minutes = float(raw)
    except ValueError:
        raise ValueError(f"{APPROVAL_TIMEOUT_ENV}={raw!r} is not a number of minutes") from None
    if minutes <= 0:
        raise ValueError(f"{APPROVAL_TIMEOUT_ENV}={raw!r} must be positive")
    return minutes


def janitor_grace_hours() -> float | None:
    """Age after which the janitor removes other runs' leftovers (``POPSYNC_JANITOR_GRACE_HOURS``); None: default."""
    raw = os.environ.get(JANITOR_GRACE_ENV)
    if raw is None or raw.strip() == "":
        return None
    hours = float(raw)
    if hours < 0:
        raise ValueError(f"{JANITOR_GRACE_ENV} must be zero or more hours, got {raw!r}")
    return hours


def task_retries() -> int:
    """Retries of each task (``POPSYNC_TASK_RETRIES``, default 2)."""
    return int(os.environ.get("POPSYNC_TASK_RETRIES", "2"))


def retry_delay_seconds() -> int:
    """First retry delay, doubled at each retry (``POPSYNC_RETRY_DELAY_SECONDS``, default 30)."""
    return int(os.environ.get("POPSYNC_RETRY_DELAY_SECONDS", "30"))


def hostname_override() -> str | None:
    """The name a worker gives itself in the UI (``POPSYNC_HOSTNAME``), or None."""
    return os.environ.get("POPSYNC_HOSTNAME") or None


TASK_MEMORY_MB = 1000
"""The peak resident memory (VmHWM, MB of 10^6 bytes) a task process should stay under (``POPSYNC_TASK_MEMORY_MB``)."""
OUTSIDE_DUCKDB_MB = 330
"""What a reconcile or plan process holds beside DuckDB's buffer pool at its peak: the Arrow batches
of the extract and of the two result streams in flight, the driver's copy buffers and DuckDB's own
allocations outside its limit. Measured at 10M (docs/performance.md, "Memory per task"): 140-270 MB."""
MIN_DUCKDB_MB = 192
DUCKDB_MB_PER_THREAD = 256
"""A task's DuckDB session runs no more threads than its share of the budget gives this much each:
each thread holds its own pinned buffers in a join or aggregation, and at 10M a health-insurance
bucket ran out of memory at a 267-306 MB limit with 2 threads, and finished with 1
(benchmarks/results/duckdb-threads-10m-bucket.md)."""
OFFLINE_DUCKDB_MB = 672
"""DuckDB's limit outside a task (the generator, the evaluation), unless set explicitly."""


def duckdb_memory_limit() -> str | None:
    """An explicit DuckDB memory limit (``POPSYNC_DUCKDB_MEMORY_LIMIT``), or None: derive it from the task's budget."""
    value = os.environ.get("POPSYNC_DUCKDB_MEMORY_LIMIT", "").strip()
    if value == "":
        return None
    if not _MEMORY_LIMIT.fullmatch(value):
        raise ValueError(f"POPSYNC_DUCKDB_MEMORY_LIMIT={value!r}: expected a size such as 512MB or 1GiB")
    return value


def task_memory_mb() -> int:
    """The task process's memory budget in MB (``POPSYNC_TASK_MEMORY_MB``, default 1000)."""
    raw = os.environ.get("POPSYNC_TASK_MEMORY_MB", "").strip()
    if raw == "":
        return TASK_MEMORY_MB
    if not raw.isdigit() or int(raw) < MIN_DUCKDB_MB + OUTSIDE_DUCKDB_MB:
        least = MIN_DUCKDB_MB + OUTSIDE_DUCKDB_MB
        raise ValueError(f"POPSYNC_TASK_MEMORY_MB={raw!r}: expected a whole number of MB, at least {least}")
    return int(raw)


def duckdb_threads() -> int:
    """DuckDB's threads in the worker (``POPSYNC_DUCKDB_THREADS``, default 2)."""
    value = os.environ.get("POPSYNC_DUCKDB_THREADS", "2")
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"POPSYNC_DUCKDB_THREADS={value!r}: expected a positive whole number")
    return int(value)


def test_kill_point() -> str | None:
    """The kill point a crash test asks a task process to die at (``POPSYNC_TEST_KILL_AT``); unset outside tests."""
    return os.environ.get(KILL_AT_ENV)


def ui_sector_access() -> str | None:
    """The web pages' user/role → sectors mapping (``POPSYNC_UI_SECTOR_ACCESS``): JSON text or a file path."""
    return os.environ.get(UI_SECTOR_ACCESS_ENV)


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
