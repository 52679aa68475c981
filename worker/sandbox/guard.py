"""What stands in front of Strava's endpoints: quota, injected faults and request stats.

As on Strava, every /api/v3 request counts against the quota before anything else is
decided, so refused requests (401, 404, 403, 429) cost quota too; /oauth is not metered.
"""

from __future__ import annotations

import asyncio
import re

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.routing import Match, Router
from starlette.types import Message, Receive, Scope, Send

from worker.sandbox.errors import fault_response
from worker.sandbox.quota import counts_as_read
from worker.sandbox.runtime import Sandbox

#: A path parameter's convertor (``{id:int}``), left out of the endpoint names in the stats.
CONVERTOR = re.compile(r":\w+}")


class Guard:
    """ASGI middleware around a router of Strava endpoints.

    Parameters
    ----------
    router
        The endpoints guarded.
    sandbox
        The sandbox whose quota, faults and stats apply.
    metered
        True for /api/v3 (quota, rate-limit headers and faults); False for /oauth.
    prefix
        Put before route templates in the stats (``/oauth``); /api/v3 goes without.
    """

    def __init__(self, router: Router, sandbox: Sandbox, metered: bool, prefix: str = "") -> None:
        self.router = router
        self.sandbox = sandbox
        self.metered = metered
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        status = [500]
        headers: dict[str, str] = {}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        early: Response | None = None
        if self.metered:
            early, headers = await self._meter(scope)
        try:
            if early is not None:
                await early(scope, receive, send_with_headers)
            else:
                await self.router(scope, receive, send_with_headers)
        finally:
            self._record(scope, status[0])

    async def _meter(self, scope: Scope) -> tuple[Response | None, dict[str, str]]:
        """Count the request; say whether quota or a fault answers it instead of the route."""
        sandbox = self.sandbox
        allowed, usage = sandbox.limiter.hit(
            sandbox.now(), counts_as_read(scope["method"], scope["path"]))
        headers = sandbox.limiter.headers(usage)
        if sandbox.faults.faults.inactive:
            return fault_response(403, "Forbidden", "Application", "Status", "Inactive"), headers
        if not allowed:
            return fault_response(
                429, "Rate Limit Exceeded", "Application", "rate limit", "exceeded"), headers
        error = sandbox.faults.error_status()
        if error is not None:
            return fault_response(
                error, "Server Error", "Application", "server", "unavailable"), headers
        delay = sandbox.faults.delay_s()
        if delay:
            await asyncio.sleep(delay)
        return None, headers

    def _record(self, scope: Scope, status: int) -> None:
        template, activity_id = scope["path"], None
        for route in self.router.routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                template = self.prefix + CONVERTOR.sub("}", str(getattr(route, "path", template)))
                found = child.get("path_params", {}).get("id")
                activity_id = str(found) if "/activities/" in template and found else None
                break
        self.sandbox.stats.record_request(f"{scope['method']} {template}", status, activity_id)
