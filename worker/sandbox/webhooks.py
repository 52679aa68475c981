"""Strava's push side: the subscription handshake and event delivery with retries.

Strava gives a callback 2 s to answer and tries each event at most three times
(developers.strava.com/docs/webhooks); the sender does the same, one task per event so a
slow receiver delays only its own events.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from worker.sandbox.state import Store
from worker.sandbox.stats import Stats

#: Strava's deadline for a callback's answer, handshake and events alike.
CALLBACK_TIMEOUT_S = 2.0
#: Strava tries each event at most three times.
MAX_TRIES = 3


class WebhookSender:
    """Queues events and posts them to the subscription's callback."""

    def __init__(
        self,
        store: Store,
        stats: Callable[[], Stats],
        backoff_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._store = store
        self._stats = stats
        self._backoff_s = backoff_s
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._client = httpx.AsyncClient(transport=self._transport, timeout=CALLBACK_TIMEOUT_S)
        self._spawn(self._consume())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def publish(self, aspect_type: str, object_type: str, object_id: int, owner_id: int,
                updates: dict[str, str], now: float) -> bool:
        """Queue an event if a subscription exists and the owner authorized the app.

        Returns
        -------
        bool
            Whether the event was queued.
        """
        subscription = self._store.subscription
        athlete = self._store.athletes.get(owner_id)
        if subscription is None or athlete is None or not athlete.authorized:
            return False
        self._queue.put_nowait({
            "aspect_type": aspect_type,
            "event_time": int(now),
            "object_id": object_id,
            "object_type": object_type,
            "owner_id": owner_id,
            "subscription_id": subscription.id,
            "updates": updates,
        })
        self._stats().webhooks_sent += 1
        return True

    async def handshake(self, callback_url: str, verify_token: str) -> str | None:
        """Strava's subscription check: GET the callback, expect the challenge echoed.

        Returns
        -------
        str or None
            None when the callback passed, else Strava's error code for the failure.
        """
        challenge = secrets.token_urlsafe(12)
        params = {"hub.mode": "subscribe", "hub.challenge": challenge,
                  "hub.verify_token": verify_token}
        try:
            response = await self._http().get(callback_url, params=params)
        except httpx.HTTPError:
            return "GET to callback URL does not return 200"
        if response.status_code != 200:
            return "GET to callback URL does not return 200"
        try:
            echoed = response.json().get("hub.challenge")
        except (ValueError, AttributeError):
            echoed = None
        return None if echoed == challenge else "callback url not verifiable"

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("the webhook sender is not started")
        return self._client

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _consume(self) -> None:
        while True:
            event = await self._queue.get()
            self._spawn(self._deliver(event))

    async def _deliver(self, event: dict[str, Any]) -> None:
        for attempt in range(1, MAX_TRIES + 1):
            subscription = self._store.subscription
            if subscription is None or subscription.id != event["subscription_id"]:
                return
            if await self._attempt(subscription.callback_url, event, attempt):
                self._stats().webhooks_delivered += 1
                return
            if attempt < MAX_TRIES:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
        self._stats().webhooks_failed += 1

    async def _attempt(self, url: str, event: dict[str, Any], attempt: int) -> bool:
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._http().post(url, json=event)
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        latency_ms = (time.perf_counter() - started) * 1000.0
        self._stats().record_attempt(event, attempt, status, latency_ms, error)
        return status is not None and 200 <= status < 300
