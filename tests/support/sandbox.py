"""One sandbox Strava server per test process, with a fresh sandbox behind it for each test.

Starting and stopping uvicorn took about half a second a test; swapping the app it serves
takes a few milliseconds. Each test still gets a sandbox of its own: new athletes, tokens,
faults and request counts, with its webhook deliveries started and stopped around the test.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from worker.devstack import free_port

#: Seconds the server has to start, and a sandbox's webhooks to start or stop.
START_TIMEOUT_S = 10.0


class SandboxServer:
    """A uvicorn server in a thread of this process that serves whichever sandbox is current."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app: Starlette | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server = uvicorn.Server(uvicorn.Config(self, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif self.app is None:
            raise RuntimeError("no sandbox is being served between tests")
        else:
            await self.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.loop = asyncio.get_running_loop()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox server at {self.url} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=START_TIMEOUT_S)

    @contextmanager
    def serving(self, app: Starlette) -> Iterator[str]:
        """Serve ``app``, with its lifespan (webhook deliveries) run on the server's loop, for
        the block; nothing is served after it."""
        context: AbstractAsyncContextManager[Any] = app.router.lifespan_context(app)
        self._on_loop(context.__aenter__())
        self.app = app
        try:
            yield self.url
        finally:
            self.app = None
            self._on_loop(context.__aexit__(None, None, None))

    def _on_loop(self, step: Any) -> None:
        if self.loop is None:
            raise RuntimeError("the sandbox server is not running")
        asyncio.run_coroutine_threadsafe(step, self.loop).result(START_TIMEOUT_S)

