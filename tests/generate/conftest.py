"""Fixtures of the generator tests: a PostgreSQL server of their own and generated samples."""

from collections.abc import Iterator

import pytest

from popsync.generate import GenerateOptions
from popsync.generate.stream import Chunk, generate_chunks
from tests.generate.common import AS_OF


@pytest.fixture(scope="session")
def generate_server_url(server_url: str) -> Iterator[str]:
    """The test session's PostgreSQL server."""
    yield server_url


@pytest.fixture(scope="session")
def small_run() -> list[Chunk]:
    """Every dataset for 6,000 persons in three chunks, default fault rates."""
    return list(generate_chunks(GenerateOptions(persons=6_000, chunk_size=2_500, as_of=AS_OF)))


@pytest.fixture(scope="session")
def register_sample() -> list[Chunk]:
    """Only the register, 20,000 persons."""
    return list(generate_chunks(GenerateOptions(persons=20_000, sectors=(), as_of=AS_OF)))
