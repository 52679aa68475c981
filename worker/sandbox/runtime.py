"""The one sandbox instance a running app serves: its store, clock, quota, faults and sender."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request

from worker.sandbox.config import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxConfig
from worker.sandbox.errors import StravaError
from worker.sandbox.faults import FaultInjector
from worker.sandbox.quota import RateLimiter
from worker.sandbox.state import Store
from worker.sandbox.stats import Stats
from worker.sandbox.webhooks import WebhookSender


@dataclass
class Sandbox:
    config: SandboxConfig
    clock: Callable[[], float] = time.time
    transport: httpx.AsyncBaseTransport | None = None
    store: Store = field(default_factory=Store)
    faults: FaultInjector = field(default_factory=FaultInjector)
    stats: Stats = field(default_factory=Stats)
    limiter: RateLimiter = field(init=False)
    webhooks: WebhookSender = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.config.quota, self.config.windows)
        self.webhooks = WebhookSender(
            self.store, lambda: self.stats, self.config.webhook_backoff_s, self.transport)

    def now(self) -> float:
        return self.clock()


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def check_client(client_id: str | None, client_secret: str | None) -> None:
    """Strava's check of an application's credentials.

    Raises
    ------
    StravaError
        401 naming the field that is wrong.
    """
    if client_id != str(SANDBOX_CLIENT_ID):
        raise StravaError.unauthorized("Application", "client_id")
    if client_secret != SANDBOX_CLIENT_SECRET:
        raise StravaError.unauthorized("Application", "client_secret")
