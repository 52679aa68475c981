"""The database module: engines and sessions, and the embedded SQLite file's privacy."""

from __future__ import annotations

import stat
from pathlib import Path

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
