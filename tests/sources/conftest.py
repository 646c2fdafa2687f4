"""Fixtures of the source-reader tests."""

from collections.abc import Iterator

import pytest

from tests.sources.mariadb_server import MariaDB, mariadb_server


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDB]:
    """A private MariaDB server for the whole session (skipped where there is none, outside CI)."""
    with mariadb_server() as server:
        yield server
