"""The web process: webhook receiver, OAuth, health and metrics, and the athletes' pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
from starlette.applications import Starlette

from worker.runtime import Runtime
from worker.web.health import HealthEndpoints
from worker.web.oauth import OAuthEndpoints
from worker.web.pages import PageEndpoints
from worker.web.unavailable import redis_unavailable
from worker.web.webhook import WebhookEndpoint


def create_app(rt: Runtime) -> Starlette:
    """The Starlette app; each endpoint group contributes its routes."""
    webhook = WebhookEndpoint(rt)
    groups = (webhook, OAuthEndpoints(rt), HealthEndpoints(rt), PageEndpoints(rt, webhook.inbox))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await webhook.startup()
        yield
        await webhook.shutdown()  # enqueue what was committed before the process goes

    return Starlette(routes=[route for group in groups for route in group.routes()],
                     exception_handlers={redis.RedisError: redis_unavailable},
                     lifespan=lifespan)
