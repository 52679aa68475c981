"""A local stand-in for Strava: API, OAuth and webhook sender, for demos and tests.

``serve()`` runs it on uvicorn; ``create_app()`` builds the Starlette app for in-process tests.
"""

from __future__ import annotations

import uvicorn

from worker.sandbox.app import create_app
from worker.sandbox.config import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxConfig

__all__ = ["SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "SandboxConfig", "create_app", "serve"]


def serve(host: str = "127.0.0.1", port: int = 8001, config: SandboxConfig | None = None) -> None:
    """Run the sandbox in this process until interrupted."""
    # No access log: Strava's subscription calls carry the client secret in the query string.
    uvicorn.run(create_app(config), host=host, port=port, log_level="info", access_log=False)
