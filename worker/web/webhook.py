"""Strava's push subscription endpoint: the handshake, and events committed before the answer.

An event is validated, recorded in the inbox (deduplicated, in batches: see worker.web.intake
and worker.inbox) and acknowledged; it is enqueued right after the answer. Once it is in the
inbox nothing can lose it: if Redis is down the sweeper enqueues it later.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from worker.inbox import Recorded
from worker.metrics import ACK_SECONDS, EVENTS_RECEIVED
from worker.models import PushSubscription
from worker.runtime import Runtime
from worker.web.intake import InboxWriter

log = logging.getLogger(__name__)

#: Largest event body accepted; Strava's are a few hundred bytes.
MAX_BODY_BYTES = 8 * 1024
#: The event vocabulary of Strava's webhook documentation.
OBJECT_TYPES = frozenset({"activity", "athlete"})
ASPECT_TYPES = frozenset({"create", "update", "delete"})
REQUIRED_INTS = ("object_id", "owner_id", "subscription_id", "event_time")
#: Limits on the ``updates`` object: a handful of short string fields in practice.
MAX_UPDATES = 16
MAX_UPDATE_CHARS = 1024
#: Seconds the web process trusts its copy of the subscription id.
SUBSCRIPTION_CACHE_S = 10.0
#: Oldest event kept: Strava retries an event for minutes, not days, so anything older is a
#: replay of a captured event.
MAX_EVENT_AGE_S = 86_400
#: Furthest ahead of our clock an event may be: clock skew between Strava and us, no more.
MAX_EVENT_AHEAD_S = 300
#: Most digits an integer of an event may have: Strava's ids are 64-bit (at most 19 digits);
#: anything longer is refused before Python converts it (which fails past 4,300 digits).
MAX_INT_DIGITS = 20
#: The one answer to every well-formed event, stored or not: which ids exist, which events we
#: have, which subscription is ours, none of it shows in the answer.
RECEIVED = {"status": "received"}


class EventError(ValueError):
    """The body is not a Strava event; the message says what is wrong."""


def parse_event(body: bytes) -> dict[str, Any]:
    """Validate a webhook body and return the event with its fields normalised."""
    try:
        event = json.loads(body, parse_int=_bounded_int)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EventError(f"body is not valid JSON: {error}") from None
    except RecursionError:
        raise EventError("body is nested too deeply") from None
    if not isinstance(event, dict):
        raise EventError("body must be a JSON object")
    for field in REQUIRED_INTS:
        value = event.get(field)
        if type(value) is not int or value < 0 or value >= 2**63:
            raise EventError(f"{field} must be a non-negative integer, got {_show(value)}")
    for field, allowed in (("object_type", OBJECT_TYPES), ("aspect_type", ASPECT_TYPES)):
        value = event.get(field)
        if not isinstance(value, str) or value not in allowed:
            got = _show(event.get(field))
            raise EventError(f"{field} must be one of {sorted(allowed)}, got {got}")
    updates = event.get("updates", {})
    if updates is None:
        updates = {}
    if not isinstance(updates, dict) or len(updates) > MAX_UPDATES:
        raise EventError(f"updates must be an object of at most {MAX_UPDATES} fields")
    for key, value in updates.items():
        if not isinstance(value, str | bool | int | float) or len(str(key)) > 64 \
                or len(str(value)) > MAX_UPDATE_CHARS:
            raise EventError(f"updates.{str(key)[:64]} must be a short string")
    return {
        "object_type": event["object_type"],
        "aspect_type": event["aspect_type"],
        "object_id": event["object_id"],
        "owner_id": event["owner_id"],
        "subscription_id": event["subscription_id"],
        "event_time": event["event_time"],
        "updates": {str(k): str(v).lower() if isinstance(v, bool) else str(v)
                    for k, v in updates.items()},
    }


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise EventError(f"an integer of {len(text)} digits is longer than any Strava id")
    return int(text)


def _show(value: Any) -> str:
    text = json.dumps(value) if value is not None else "nothing"
    return text if len(text) <= 40 else text[:37] + "..."


class WebhookEndpoint:
    """``/webhook/{secret}``. GET: subscription handshake. POST: one event.

    Only Strava is told the secret path; a wrong secret answers exactly as a path that does not
    exist (404), so the route reveals nothing and stores nothing. Behind it, every well-formed
    event gets the same 200 whether it was stored or not (another subscription, an unknown
    athlete, a duplicate, an event_time far from now): an answer that differed would tell a
    guesser which ids are real. What became of each event is counted in the metrics.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.inbox = InboxWriter(rt)
        self._subscription: tuple[float, int | None] = (0.0, None)

    def routes(self) -> list[Route]:
        return [Route("/webhook/{secret}", self.dispatch, methods=["GET", "POST"])]

    async def startup(self) -> None:
        await self.inbox.warm_up()
        try:
            await self._subscription_id()
        except Exception as error:  # read again with the first event
            log.warning("subscription id not read at startup: %s", error)

    async def shutdown(self) -> None:
        await self.inbox.close()

    async def dispatch(self, request: Request) -> Response:
        given = str(request.path_params["secret"]).encode()
        if not hmac.compare_digest(given, self.rt.settings.webhook_secret.encode()):
            raise HTTPException(404)  # what the router answers for a path it does not know
        if request.method == "POST":
            return await self.receive(request)
        return await self.handshake(request)

    async def handshake(self, request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "")
        expected = self.rt.settings.verify_token
        if params.get("hub.mode") != "subscribe" or "hub.challenge" not in params:
            return JSONResponse({"error": "expected hub.mode=subscribe and hub.challenge"}, 400)
        if not hmac.compare_digest(token.encode(), expected.encode()):
            log.warning("webhook handshake refused: wrong verify token")
            return JSONResponse({"error": "verify token does not match"}, 403)
        return JSONResponse({"hub.challenge": params["hub.challenge"]})

    async def receive(self, request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await self._receive(request)
        finally:
            ACK_SECONDS.observe(time.perf_counter() - started)
        return response

    async def _receive(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return _error(415, "content type must be application/json, got "
                               f"{content_type or 'none'}")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _error(413, f"body larger than {MAX_BODY_BYTES} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > MAX_BODY_BYTES:
                return _error(413, f"body larger than {MAX_BODY_BYTES} bytes")
        try:
            event = parse_event(bytes(body))
        except EventError as error:
            EVENTS_RECEIVED.labels("invalid", "invalid", "rejected").inc()
            return _error(400, str(error))
        outcome = await self._record(event)
        EVENTS_RECEIVED.labels(event["object_type"], event["aspect_type"], outcome).inc()
        if outcome != Recorded.ACCEPTED:
            log.debug("%s %s event not stored: %s", event["object_type"], event["aspect_type"],
                      outcome, extra={"athlete_id": event["owner_id"]})
        return JSONResponse(RECEIVED)

    async def _record(self, event: dict[str, Any]) -> str:
        """Store the event if it is ours, fresh and new; returns what became of it."""
        if event["subscription_id"] != await self._subscription_id():
            return "foreign_subscription"
        age = time.time() - event["event_time"]
        if age > MAX_EVENT_AGE_S or -age > MAX_EVENT_AHEAD_S:
            return "stale"
        return str(await self.inbox.submit(event))

    async def _subscription_id(self) -> int | None:
        fetched_at, value = self._subscription
        if value is not None and time.monotonic() - fetched_at < SUBSCRIPTION_CACHE_S:
            return value
        value = await run_in_threadpool(self._read_subscription_id)
        self._subscription = (time.monotonic(), value)
        return value

    def _read_subscription_id(self) -> int | None:
        with self.rt.db.read() as session:
            return session.scalar(select(PushSubscription.id)
                                  .order_by(PushSubscription.created_at.desc()))


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
