"""Fixtures of the reliability tests: the shared stack of this test process, on a Redis server
of its own."""

from __future__ import annotations

import pytest

from tests.reliability.harness import LiveStack
from tests.services import RedisServer, in_ci


@pytest.fixture
def redis_server(stack_redis: RedisServer | None) -> RedisServer:
    """The ``redis-server`` of the shared stack, which a test may restart or flush."""
    if stack_redis is None:
        if in_ci():
            pytest.fail("redis-server is not installed (CI=true requires it)")
        pytest.skip("redis-server is not installed")
    return stack_redis


@pytest.fixture
def live(shared_stack: LiveStack, redis_server: RedisServer) -> LiveStack:
    """The shared stack, on a ``redis-server`` of its own (these tests break it)."""
    return shared_stack
