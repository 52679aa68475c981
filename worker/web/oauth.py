"""Connecting an athlete: Strava OAuth with a ``state`` bound to the browser by a cookie.

Strava sometimes refuses a code it has just handed out (400 AuthorizationCode invalid) because
not all of it has heard of the code yet; the same code is accepted about two seconds later
(basvandorst/StravaPHP#96). The exchange is tried once more after CODE_RETRY_AFTER_S.

Each client address may start only so many sign-ins (worker.web.ratelimit.ClientBuckets): past
its allowance it gets a 429 before anything is stored or asked of Strava, so nobody can spend
the application's quota on code exchanges. The address is the connection's, or behind a trusted
proxy the one it forwards (OPERATIONS.md, "Behind a reverse proxy").
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from worker.budget import QuotaExhausted, across_resets
from worker.models import Athlete, utcnow
from worker.queue import BACKFILL, BACKFILL_QUEUE, enqueue
from worker.runtime import Runtime
from worker.strava import StravaCodeRefused, StravaError, TokenGrant
from worker.web.charts import N_
from worker.web.language import visitor_language
from worker.web.pages import render
from worker.web.ratelimit import OAUTH_BURST, OAUTH_REFILL_S, ClientBuckets
from worker.web.session import Sessions, set_cookie

log = logging.getLogger(__name__)

#: The scopes we ask for: read every activity (private ones too) and write descriptions.
SCOPE = "activity:read_all,activity:write"
#: Each scope we ask for, as the refusal page names it (translated there).
SCOPE_WORDS = {
    "activity:read_all": N_("read your activities, the private ones too"),
    "activity:write": N_("write feedback into your activities' descriptions"),
}
#: The cookie that carries the state between /connect and /auth/callback.
STATE_COOKIE = "stridewise_oauth_state"
#: Seconds an athlete has to approve at Strava.
STATE_MAX_AGE_S = 600
#: Where a state waits for its one callback (Redis, expiring with the cookie).
STATE_KEY = "stridewise:oauth:state:"
#: A reconnect this soon after a backfill starts none: the history is in the database.
BACKFILL_AGAIN_AFTER = timedelta(days=1)
#: Seconds before a refused code is exchanged once more: Strava's services learn of a new code
#: within about two seconds (basvandorst/StravaPHP#96).
CODE_RETRY_AFTER_S = 2.0


class OAuthEndpoints:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.buckets = ClientBuckets(OAUTH_BURST, OAUTH_REFILL_S)

    def routes(self) -> list[Route]:
        return [Route("/connect", self.connect, methods=["GET"]),
                Route("/auth/callback", self.callback, methods=["GET"])]

    async def connect(self, request: Request) -> Response:
        refused = self._over_limit(request)
        if refused is not None:
            return refused
        settings = self.rt.settings
        state = secrets.token_urlsafe(24)
        await run_in_threadpool(self.rt.redis.set, STATE_KEY + state, b"1", ex=STATE_MAX_AGE_S)
        query = urlencode({
            "client_id": settings.client_id,
            "redirect_uri": settings.redirect_uri,
            "response_type": "code",
            "approval_prompt": "auto",
            "scope": SCOPE,
            "state": state,
        })
        response = RedirectResponse(f"{settings.strava_base_url}/oauth/authorize?{query}", 302)
        response.set_cookie(
            STATE_COOKIE, state, max_age=STATE_MAX_AGE_S, httponly=True, samesite="lax",
            secure=settings.public_url.startswith("https://"), path="/auth",
        )
        return response

    async def callback(self, request: Request) -> Response:
        refused = self._over_limit(request)
        if refused is not None:
            return refused
        params = request.query_params
        expected = request.cookies.get(STATE_COOKIE, "")
        given = params.get("state", "")
        if not expected or not hmac.compare_digest(expected.encode(), given.encode()) \
                or not await run_in_threadpool(self._take_state, given):
            return _page(request, 400, "expired")
        if params.get("error"):
            return _page(request, 200, "denied")
        missing = missing_scopes(params.get("scope", ""))
        if missing:
            return _page(request, 403, "scope", missing=[SCOPE_WORDS[s] for s in missing])
        code = params.get("code", "")
        if not code:
            return _page(request, 400, "no_code")
        try:
            grant = await self._exchange(code)
        except QuotaExhausted as spent:
            minutes = max(1, math.ceil((spent.retry_at - time.time()) / 60))
            return _page(request, 503, "busy", minutes=minutes)
        except StravaError as error:
            log.warning("code exchange failed: %s", error)
            return _page(request, 502, "rejected")
        athlete_id = await run_in_threadpool(self._store, grant, params.get("scope", ""),
                                             visitor_language(request))
        if athlete_id is None:
            return _page(request, 502, "no_athlete")
        session_id, signed_in = await run_in_threadpool(Sessions(self.rt.db).start, athlete_id)
        response = RedirectResponse("/me", 303)
        set_cookie(response, session_id, signed_in,
                   secure=self.rt.settings.public_url.startswith("https://"))
        response.delete_cookie(STATE_COOKIE, path="/auth")
        return response

    async def _exchange(self, code: str) -> TokenGrant:
        """The code's grant; a code Strava refuses is tried once more after CODE_RETRY_AFTER_S."""
        try:
            return await self._exchange_once(code)
        except StravaCodeRefused as refused:
            log.info("Strava refused a fresh code (%s); trying it again in %.0f s", refused,
                     CODE_RETRY_AFTER_S)
        await asyncio.sleep(CODE_RETRY_AFTER_S)
        return await self._exchange_once(code)

    async def _exchange_once(self, code: str) -> TokenGrant:
        # Strava counts the exchange too; the athlete waits out a window's last second.
        await run_in_threadpool(across_resets, lambda: self.rt.budget.acquire("live"))
        return await run_in_threadpool(self.rt.gateway.exchange_code, code)

    def _over_limit(self, request: Request) -> Response | None:
        """A 429 for a client that has used its allowance of sign-ins, else None."""
        client = request.client.host if request.client is not None else "unknown"
        wait = self.buckets.take(client)
        if not wait:
            return None
        log.debug("OAuth request refused: its client is over the limit")
        return PlainTextResponse(
            "Too many sign-in attempts from your address. Please wait a minute and try again.",
            status_code=429, headers={"Retry-After": str(math.ceil(wait))})

    def _take_state(self, state: str) -> bool:
        """Whether the state was issued here and not used yet; it is used up now."""
        return bool(self.rt.redis.delete(STATE_KEY + state))

    def _store(self, grant: TokenGrant, scope: str, language: str) -> int | None:
        """Store the athlete and their tokens; a new athlete speaks ``language``, the one they
        read the front page in (a returning one keeps their settings)."""
        profile = grant.athlete or {}
        if not isinstance(profile.get("id"), int):
            return None
        athlete_id = int(profile["id"])
        with self.rt.tokens.lock(athlete_id), self.rt.db.session() as session:
            athlete = session.get(Athlete, athlete_id) or Athlete(id=athlete_id,
                                                                  language=language)
            athlete.scope = scope[:255]
            athlete.status = "active"
            athlete.connected_at = utcnow()
            self.rt.tokens.store(athlete, grant)
            session.add(athlete)
            history_read = athlete.history_read_at
        log.info("athlete connected", extra={"athlete_id": athlete_id})
        if history_read is not None and utcnow() - history_read < BACKFILL_AGAIN_AFTER:
            return athlete_id
        try:
            enqueue(self.rt.broker, BACKFILL, BACKFILL_QUEUE, athlete_id)
        except Exception as error:  # the athlete is stored; the sweeper sends the backfill
            log.warning("backfill not sent, the sweeper will send it: %s", error,
                        extra={"athlete_id": athlete_id})
            self.rt.jobs.unsent(BACKFILL, BACKFILL_QUEUE, athlete_id, f"{type(error).__name__}")
        return athlete_id


def missing_scopes(granted: str) -> list[str]:
    """The scopes we need that Strava's callback did not grant."""
    scopes = {s.strip() for s in granted.split(",") if s.strip()}
    missing = []
    if "activity:read_all" not in scopes:  # activity:read hides private activities
        missing.append("activity:read_all")
    if "activity:write" not in scopes:
        missing.append("activity:write")
    return missing


def _page(request: Request, status: int, problem: str, **context: object) -> Response:
    """Why the athlete is not connected, in the site's layout and the visitor's language, with
    a way to connect again."""
    return render(visitor_language(request), "oauth.html", status=status, signed_in=None,
                  problem=problem, **context)
