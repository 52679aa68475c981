"""The one place that builds database engines and sessions.

SQLite (the embedded default) and PostgreSQL run the same code. SQLite gets WAL and a busy
timeout so the web process and several worker threads can share one file. A session that
writes (:meth:`Database.session`) takes SQLite's write lock when it begins; a session that only
reads (:meth:`Database.read`) begins a deferred transaction, which takes no lock and sees one
snapshot of the file, and commits nothing.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: How long a SQLite writer waits for another's lock before failing, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: The execution option that marks a reading session's connections.
READ_ONLY = "stridewise_read_only"
#: The SQLite file holds encrypted tokens and the athletes' cached data: the owner alone reads
#: it. SQLite gives its -wal and -shm files the database file's mode.
SQLITE_FILE_MODE = 0o600


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder when needed."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            _private_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner alone, or take group and world access away."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, SQLITE_FILE_MODE))
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(SQLITE_FILE_MODE)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level so SQLAlchemy's "begin" listener decides how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # A deferred transaction that later writes can deadlock against another writer; taking the
    # write lock up front makes SQLite wait (busy_timeout) instead of failing. A session that
    # only reads never upgrades, so it begins deferred and leaves the lock to writers.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.readers = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                    expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session that only reads: its transaction is rolled back, never committed, and on
        SQLite it takes no write lock. The objects it loaded stay readable after it closes."""
        with self.readers() as session:
            yield session  # closing expunges the objects, then ends the transaction

    def dispose(self) -> None:
        self.engine.dispose()
