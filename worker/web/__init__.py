"""The web process: webhook receiver, OAuth, health and metrics, and the athletes' pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from worker.runtime import Runtime
from worker.web.health import HealthEndpoints
from worker.web.oauth import OAuthEndpoints
from worker.web.pages import PageEndpoints
from worker.web.unavailable import redis_unavailable
from worker.web.webhook import WebhookEndpoint

#: Answers shorter than this go uncompressed: a webhook's acknowledgement is not worth it, an
#: athlete's page (tens of kilobytes of HTML and SVG) is.
GZIP_FROM_BYTES = 1024


def create_app(rt: Runtime) -> Starlette:
    """The Starlette app; each endpoint group contributes its routes."""
    webhook = WebhookEndpoint(rt)
    pages = PageEndpoints(rt, webhook.inbox)
    groups = (webhook, OAuthEndpoints(rt), HealthEndpoints(rt), pages)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await webhook.startup()
        yield
        await webhook.shutdown()  # enqueue what was committed before the process goes

    return Starlette(routes=[route for group in groups for route in group.routes()],
                     exception_handlers={404: pages.http_error, 405: pages.http_error,
                                         redis.RedisError: redis_unavailable},
                     middleware=[Middleware(GZipMiddleware, minimum_size=GZIP_FROM_BYTES)],
                     lifespan=lifespan)
