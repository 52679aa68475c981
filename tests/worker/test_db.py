"""The database module: engines and sessions, and the embedded SQLite file's privacy."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from worker.db import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_file_and_its_journal_are_readable_by_the_owner_alone(tmp_path: Path) -> None:
    path = tmp_path / "var" / "stridewise.db"
    db = Database(f"sqlite:///{path}")
    with db.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    assert mode(path) == 0o600
    assert mode(path.with_name(path.name + "-wal")) == 0o600
    db.dispose()


def test_a_world_readable_sqlite_file_is_made_private_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "stridewise.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Database(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


def test_a_reading_session_leaves_sqlite_s_write_lock_to_writers(tmp_path: Path) -> None:
    """A session that only reads begins deferred: a writer commits while it is open, and it
    goes on reading the snapshot it began with."""
    db = Database(f"sqlite:///{tmp_path / 'stridewise.db'}")
    with db.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
    with db.read() as reading:
        assert reading.scalar(text("SELECT count(*) FROM t")) == 1
        writer = sqlite3.connect(tmp_path / "stridewise.db", timeout=0.5, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # would wait, then fail, behind a write lock
        writer.execute("INSERT INTO t VALUES (2)")
        writer.execute("COMMIT")
        writer.close()
        assert reading.scalar(text("SELECT count(*) FROM t")) == 1
    with db.read() as reading:
        assert reading.scalar(text("SELECT count(*) FROM t")) == 2
    db.dispose()


def test_a_writing_session_holds_sqlite_s_write_lock_from_its_start(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'stridewise.db'}")
    with db.session() as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    with db.session() as session:
        session.execute(text("SELECT count(*) FROM t"))
        writer = sqlite3.connect(tmp_path / "stridewise.db", timeout=0.2, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            writer.execute("BEGIN IMMEDIATE")
        writer.close()
    db.dispose()
