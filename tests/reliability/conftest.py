"""Fixtures of the reliability tests: a Redis server of their own, and a database, for a test
or for a module whose tests share one stack."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import RedisServer, in_ci, postgres_available, postgres_database, sqlite_url


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A ``redis-server`` nobody else uses, so a test may restart or flush it."""
    yield from _redis_server(tmp_path)


@pytest.fixture(scope="module")
def module_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A ``redis-server`` of one module's shared stack."""
    yield from _redis_server(tmp_path_factory.mktemp("redis"))


def _redis_server(directory: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if in_ci():
            pytest.fail("redis-server is not installed (CI=true requires it)")
        pytest.skip("redis-server is not installed")
    with RedisServer(directory / "redis").running() as server:
        yield server


@pytest.fixture
def stack_database(tmp_path: Path) -> Iterator[str]:
    """PostgreSQL when the machine has it (as in production), else a SQLite file."""
    yield from _database(tmp_path)


@pytest.fixture(scope="module")
def module_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database of one module's shared stack."""
    yield from _database(tmp_path_factory.mktemp("database"))


def _database(directory: Path) -> Iterator[str]:
    if postgres_available() or in_ci():
        with postgres_database() as url:
            yield url
    else:
        yield sqlite_url(directory)
