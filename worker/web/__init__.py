"""The web process: webhook receiver, OAuth, health and metrics; athlete pages come later."""

from __future__ import annotations

from starlette.applications import Starlette

from worker.runtime import Runtime
from worker.web.health import HealthEndpoints
from worker.web.oauth import OAuthEndpoints
from worker.web.webhook import WebhookEndpoint


def create_app(rt: Runtime) -> Starlette:
    """The Starlette app; each endpoint group contributes its routes."""
    groups = (WebhookEndpoint(rt), OAuthEndpoints(rt), HealthEndpoints(rt))
    return Starlette(routes=[route for group in groups for route in group.routes()])
