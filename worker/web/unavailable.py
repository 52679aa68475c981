"""What a page that needs Redis answers while Redis is down: 503, saying so, not a 500."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again: Redis restarts take about that long.
RETRY_AFTER_S = 30


async def redis_unavailable(request: Request, error: Exception) -> Response:
    log.warning("%s %s: Redis is unreachable (%s)", request.method, request.url.path,
                type(error).__name__)
    return PlainTextResponse(
        "Stridewise cannot reach its queue (Redis) right now. Nothing was lost; "
        f"please try again in {RETRY_AFTER_S} seconds.\n",
        status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
