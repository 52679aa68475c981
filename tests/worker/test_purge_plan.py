"""The cache purge finds what is due through indexes, on SQLite and on PostgreSQL: a pass reads
the rows expiring, not every athlete and activity stored (bench.event_cost times it at 1,000,
10,000 and 100,000 athletes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, text

from tests.services import postgres_database, sqlite_url
from worker import retention
from worker.db import Database
from worker.migrate import upgrade
from worker.models import Activity, Athlete, utcnow

ATHLETES = 3_000
HORIZON = timedelta(days=7)
#: Tables with one row per athlete or more, which a purge must not read whole.
GROWING = ("athletes", "activities")
#: A plan that reads a growing table whole: PostgreSQL's words, then SQLite's.
WHOLE = re.compile(r"Seq Scan on (athletes|activities)|\bSCAN (TABLE )?(athletes|activities)\b")


@pytest.fixture(params=["sqlite", "postgresql"])
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database of ATHLETES athletes, each with one activity, whose histories and
    blocks are recent; and a few of each that are due."""
    if request.param == "sqlite":
        db = Database(sqlite_url(tmp_path))
        yield from _filled(db)
    else:
        with postgres_database() as url:
            db = Database(url)
            yield from _filled(db)


def _filled(db: Database) -> Iterator[Database]:
    upgrade(db.engine)
    now = utcnow()
    recent, expired = now - HORIZON / 4, now - 2 * HORIZON
    due = range(1, 6)
    with db.session() as session:
        session.execute(insert(Athlete), [
            {"id": n, "access_token": "-", "refresh_token": "-", "expires_at": 0, "scope": "-",
             "history_read_at": expired if n in due else recent,
             "history_since": (expired if n in due else recent) - timedelta(days=28)}
            for n in range(1, ATHLETES + 1)])
        session.execute(insert(Activity), [
            {"id": n, "athlete_id": n, "start_date": recent, "sport": "Run", "workout": "easy",
             "confidence": 0.9, "distance_m": 8000.0, "moving_s": 2400.0, "load": 40.0,
             "hard": False, "fetched_at": expired if n in due else recent,
             "block_digest": "d", "block_written_at": expired if n in due else recent}
            for n in range(1, ATHLETES + 1)])
    with db.engine.connect() as connection:  # statistics, as autovacuum or a DBA keeps them
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    try:
        yield db
    finally:
        db.dispose()


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    """How the database would run ``statement`` (nothing is changed)."""
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if engine.dialect.name == "postgresql":
            cursor.execute("EXPLAIN " + statement, parameters)
            lines = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            lines = [row[-1] for row in cursor.fetchall()]
        cursor.close()
        connection.rollback()
    return "\n".join(lines)


def test_a_purge_reads_only_the_rows_due_through_indexes(stored: Database) -> None:
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    probe = Database(stored.url)
    event.listen(probe.engine, "before_cursor_execute", record)
    try:
        deleted = retention.purge(probe, HORIZON)
    finally:
        event.remove(probe.engine, "before_cursor_execute", record)
        probe.dispose()
    assert deleted["activities"] == 5
    touching = [(s, p) for s, p in statements
                if s.lstrip().startswith(("UPDATE", "DELETE"))
                and any(re.search(rf"\b{table}\b", s) for table in GROWING)]
    assert touching
    for statement, parameters in touching:
        how = plan(stored.engine, statement, parameters)
        assert not WHOLE.search(how), f"{statement}\n{how}"
