"""Test session set-up: an isolated popsync home and a real PostgreSQL server.

Runs before any test module imports Airflow, because Airflow reads its configuration at
import time. Tests use the embedded server on a port of their own (``POPSYNC_TEST_PORT``, by
default derived from the checkout's path) or ``POPSYNC_TEST_DATABASE_URL``; never the
demo's databases.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.ports import DEFAULT_SERVER_PORT, WORKER_API_BELOW_SERVER

pytest_plugins = ["tests.process_guard", "tests.skip_summary"]

_ROOT = Path(__file__).resolve().parents[1]
# Under pytest-xdist (``-n 2``, what scripts/test.sh runs) each worker is a session of its own:
# its own home and server, so the workers never share a warehouse. A session takes three
# ports: its server's, the benchmark test's (+1) and the log-scan job's (+2).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_INDEX = int(_WORKER.removeprefix("gw")) if _WORKER.startswith("gw") else -1
_test_home = Path(os.environ.get("POPSYNC_TEST_HOME", str(_ROOT / ".popsync" / "test")))
# Each checkout gets its own test server port (tests/ports.py), so two clones on one machine never collide.
_test_port = int(os.environ.get("POPSYNC_TEST_PORT", str(DEFAULT_SERVER_PORT)))
if _WORKER_INDEX >= 0:
    _test_home = _test_home.with_name(f"{_test_home.name}-{_WORKER}")
    _test_port += 3 * (_WORKER_INDEX + 1)
    # The Airflow API port (and the log-server ports derived from it, +10000/+10001) of the
    # worker's Airflow processes: not the default 8080, apart from every other range (tests/ports.py).
    os.environ["POPSYNC_API_PORT"] = str(_test_port - WORKER_API_BELOW_SERVER)
os.environ["POPSYNC_HOME"] = str(_test_home)
os.environ["POPSYNC_EMBEDDED_PORT"] = str(_test_port)
if os.environ.get("POPSYNC_TEST_DATABASE_URL"):
    os.environ["POPSYNC_DATABASE_URL"] = os.environ["POPSYNC_TEST_DATABASE_URL"]
else:
    os.environ.pop("POPSYNC_DATABASE_URL", None)
for _key in [key for key in os.environ if key.startswith(("AIRFLOW_CONN_POPSYNC", "AIRFLOW__"))]:
    del os.environ[_key]
os.environ.pop("AIRFLOW_HOME", None)

from popsync.local.airflow_env import apply_airflow_environment  # noqa: E402
from popsync.settings import Settings, get_settings  # noqa: E402

apply_airflow_environment(get_settings())

if TYPE_CHECKING:
    from tests.sources.mariadb_server import MariaDB


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def server_url(settings: Settings) -> Iterator[str]:
    """A real PostgreSQL server with the warehouse and a migrated Airflow metadata DB."""
    from popsync.db.databases import ensure_server, recreate_database
    from popsync.db.embedded import EmbeddedPostgres
    from popsync.local.bootstrap import bootstrap
    from popsync.settings import WAREHOUSE_DATABASE

    embedded = EmbeddedPostgres(settings.pgdata_dir, settings.embedded_port) if settings.uses_embedded_server else None
    started_here = embedded is not None and not embedded.is_running()
    ensure_server(settings)
    recreate_database(settings, WAREHOUSE_DATABASE)  # every session starts from an empty warehouse
    yield bootstrap(settings)
    if embedded is not None and started_here:  # a server another session started is left to it
        embedded.stop()


# Under pytest-xdist, modules handed out first, in this order. First of all the generator's own
# database test: it replaces the session's generated databases with data of its own, so it must
# run on its worker before the ``generated`` fixture (tests/integration) makes the demo data there
# (the first module goes to the first worker). Then the longest modules (minutes each: Airflow
# runs killed and retried, a scheduler job), so that neither worker ends the run alone with one.
_LONGEST_FIRST = (
    "generate/test_integration.py",
    "integration/test_crash_hygiene.py",
    "integration/test_scheduler_job.py",
    "integration/test_janitor_fates.py",
    "integration/web/test_web_api.py",
    "integration/test_bad_input.py",
    "integration/test_review_approval.py",
    "integration/test_review_lifecycle_dag.py",
)


def _module_rank(item: pytest.Item) -> int:
    path = Path(str(item.path)).as_posix()
    ranks = [rank for rank, name in enumerate(_LONGEST_FIRST) if path.endswith("tests/" + name)]
    return ranks[0] if ranks else len(_LONGEST_FIRST)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark as ``integration`` every test in tests/integration and every test that needs the server."""
    integration_dir = Path(__file__).parent / "integration"
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if integration_dir in Path(str(item.path)).parents or "server_url" in fixtures:
            item.add_marker(pytest.mark.integration)
    if _WORKER_INDEX >= 0:  # a stable sort: within a module, and for all other modules, the order stays
        items.sort(key=_module_rank)


@pytest.fixture(scope="session")
def mariadb() -> Iterator["MariaDB"]:
    """A private MariaDB server for the whole session (skipped where there is none, outside CI)."""
    from tests.sources.mariadb_server import mariadb_server

    with mariadb_server() as server:
        yield server
