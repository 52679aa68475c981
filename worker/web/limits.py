"""What one client may cost the web process: time to send a request, and a connection.

Strava sends a small event and waits at most 2 s for the answer; a client that takes longer
than that to send its headers or its body is not Strava, and its connection is closed.
uvicorn bounds idle keep-alive connections and the number of connections, but not the time a
request takes to arrive: :class:`DeadlineProtocol` bounds the headers, :class:`BodyDeadline`
the body. A reverse proxy in front does the same job better (OPERATIONS.md); these hold when
there is none.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from worker.config import DEFAULT_FORWARDED_ALLOW_IPS

#: Longest a client may take to send a request's headers, and then its body.
READ_DEADLINE_S = 2.0
#: How long an idle keep-alive connection stays open between requests.
KEEP_ALIVE_S = 5
#: Most connections open at once; uvicorn answers 503 to requests beyond them. Slow clients
#: are cut off by the deadlines, so this bounds memory, not their number over time; the
#: process needs a file descriptor limit above it (`ulimit -n`).
MAX_CONNECTIONS = 8192
#: Largest request body read at all; the webhook's own limit is smaller.
MAX_BODY_BYTES = 64 * 1024
class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing a connection whose request headers take longer than
    READ_DEADLINE_S to arrive (after KEEP_ALIVE_S of idleness, for a connection kept alive)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        app = self.app

        async def started(scope: Scope, receive: Receive, send: Send) -> None:
            self._disarm()  # the headers are in
            await app(scope, receive, send)

        self.app = started

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(READ_DEADLINE_S)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm(KEEP_ALIVE_S + READ_DEADLINE_S)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class BodyTooLarge(Exception):
    pass


class BodyDeadline:
    """ASGI middleware: a request body is read whole within READ_DEADLINE_S of the headers
    (408 otherwise) and is at most MAX_BODY_BYTES (413), before the app sees the request."""

    def __init__(self, app: ASGIApp, deadline_s: float = READ_DEADLINE_S,
                 max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.deadline_s = deadline_s
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.deadline_s):
                body, disconnected = await self._read(receive)
        except TimeoutError:
            await _refuse(408, "request body not received in time", scope, receive, send)
            return
        except BodyTooLarge:
            await _refuse(413, f"request body larger than {self.max_bytes} bytes",
                          scope, receive, send)
            return
        if disconnected:
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> tuple[bytes, bool]:
        """The whole body, and whether the client went away first."""
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return bytes(chunks), True
            chunks.extend(message.get("body", b""))
            if len(chunks) > self.max_bytes:
                raise BodyTooLarge
            if not message.get("more_body", False):
                return bytes(chunks), False


async def _refuse(status: int, reason: str, scope: Scope, receive: Receive, send: Send) -> None:
    response = PlainTextResponse(reason, status_code=status, headers={"connection": "close"})
    await response(scope, receive, send)


def server_config(app: ASGIApp, host: str, port: int,
                  forwarded_allow_ips: str = DEFAULT_FORWARDED_ALLOW_IPS) -> uvicorn.Config:
    """uvicorn's settings for ``app`` with the limits above; the client's address is the one
    X-Forwarded-For gives only when the connection comes from ``forwarded_allow_ips``
    (FORWARDED_ALLOW_IPS: addresses and networks, comma-separated)."""
    return uvicorn.Config(
        BodyDeadline(app), host=host, port=port, log_level="warning", access_log=False,
        http=DeadlineProtocol, limit_concurrency=MAX_CONNECTIONS,
        timeout_keep_alive=KEEP_ALIVE_S, proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def serve(app: ASGIApp, host: str, port: int,
          forwarded_allow_ips: str = DEFAULT_FORWARDED_ALLOW_IPS) -> None:
    """Run ``app`` with the limits above, until SIGTERM or SIGINT."""
    uvicorn.Server(server_config(app, host, port, forwarded_allow_ips)).run()
