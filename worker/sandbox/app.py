"""The sandbox's Starlette app: Strava's API, OAuth and push subscriptions, plus /_sandbox/."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount, Route, Router

from worker.sandbox import api, control, oauth, subscriptions
from worker.sandbox.config import SandboxConfig
from worker.sandbox.errors import StravaError
from worker.sandbox.errors import render as render_strava_error
from worker.sandbox.guard import Guard
from worker.sandbox.runtime import Sandbox


def create_app(
    config: SandboxConfig | None = None,
    clock: Callable[[], float] = time.time,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """Build a sandbox Strava.

    Parameters
    ----------
    config
        Quota, windows, token lifetime, seed; ``SandboxConfig.from_env()`` when None.
    clock
        Seconds since the epoch; tests pass a frozen or stepped clock.
    transport
        httpx transport for the handshake and webhook deliveries; tests may pass a mock.
    """
    sandbox = Sandbox(config or SandboxConfig.from_env(), clock, transport)
    api_routes = [*api.ROUTES, *subscriptions.ROUTES,
                  Route("/oauth/deauthorize", oauth.deauthorize, methods=["POST"])]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if sandbox.config.history_days:
            control.seed_history(sandbox, sandbox.config.demo_athlete_id,
                                 sandbox.config.history_days, sandbox.config.seed)
        await sandbox.webhooks.start()
        try:
            yield
        finally:
            await sandbox.webhooks.stop()

    app = Starlette(
        routes=[
            Mount("/api/v3", app=Guard(Router(api_routes), sandbox, metered=True)),
            Mount("/oauth", app=Guard(Router(oauth.ROUTES), sandbox, metered=False,
                                      prefix="/oauth")),
            Mount("/_sandbox", routes=control.ROUTES),
        ],
        exception_handlers={StravaError: render_strava_error,
                            control.ControlError: control.render},
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
