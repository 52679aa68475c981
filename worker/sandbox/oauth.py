"""Strava's OAuth: authorize (auto-approved), token exchange and refresh, deauthorize.

The token endpoint refuses as Strava does (the bodies its developers report in public issue
threads): a refresh token revoked or rotated away, 400 ``RefreshToken refresh_token invalid``
(dreeveapp/dreeve#1449); a code used, expired or unknown, 400 ``AuthorizationCode code invalid``
(basvandorst/StravaPHP#96); a client it does not know, 400 ``Application client_id invalid``
(dreeveapp/dreeve#372), and a wrong secret, 401 ``Authorization Error`` naming the application
(iamstuartwilson/strava#28).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from worker.sandbox.auth import form_or_json
from worker.sandbox.config import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from worker.sandbox.errors import StravaError
from worker.sandbox.runtime import Sandbox, sandbox_of
from worker.sandbox.state import Grant

#: The scopes Strava knows (developers.strava.com/docs/authentication).
KNOWN_SCOPES = frozenset({"read", "read_all", "profile:read_all", "profile:write",
                          "activity:read", "activity:read_all", "activity:write"})
#: Strava grants public read access with every authorization.
ALWAYS_GRANTED = "read"
#: An authorization code is for immediate use; Strava lets it live minutes at most.
CODE_TTL_S = 600


async def authorize(request: Request) -> Response:
    """Auto-approve, as the athlete named by ``sandbox_athlete`` or the demo athlete."""
    sandbox = sandbox_of(request)
    query = request.query_params
    if query.get("client_id") != str(SANDBOX_CLIENT_ID):
        raise StravaError.bad_request("Application", "client_id")
    redirect_uri = query.get("redirect_uri", "")
    if urlsplit(redirect_uri).scheme not in ("http", "https"):
        raise StravaError.bad_request("Application", "redirect_uri")
    if query.get("response_type") != "code":
        raise StravaError.bad_request("Authorize", "response_type")
    requested = {s for s in query.get("scope", "").split(",") if s}
    if requested - KNOWN_SCOPES:
        raise StravaError.bad_request("Authorize", "scope")
    state = query.get("state", "")
    if query.get("sandbox_deny") == "1":
        return _redirect(redirect_uri, {"state": state, "error": "access_denied"})
    denied = {s for s in query.get("sandbox_deny_scope", "").split(",") if s}
    scopes = frozenset((requested | {ALWAYS_GRANTED}) - denied)
    athlete_id = int(query.get("sandbox_athlete") or sandbox.config.demo_athlete_id)
    sandbox.store.athlete(athlete_id, sandbox.now())
    code = secrets.token_hex(20)
    sandbox.store.codes[code] = Grant(athlete_id, scopes, int(sandbox.now()) + CODE_TTL_S)
    return _redirect(redirect_uri, {"state": state, "code": code, "scope": _scope_text(scopes)})


async def token(request: Request) -> Response:
    sandbox = sandbox_of(request)
    params = await form_or_json(request)
    _check_client(params)
    grant_type = params.get("grant_type")
    if grant_type == "authorization_code":
        return JSONResponse(_exchange_code(sandbox, str(params.get("code", ""))))
    if grant_type == "refresh_token":
        return JSONResponse(_refresh(sandbox, str(params.get("refresh_token", ""))))
    raise StravaError.bad_request("Authorize", "grant_type")


async def deauthorize(request: Request) -> Response:
    """Revoke every token of the athlete and tell the subscription, as Strava does."""
    sandbox = sandbox_of(request)
    params = await form_or_json(request)
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    access_token = str(params.get("access_token") or (bearer if scheme.lower() == "bearer" else ""))
    grant = sandbox.store.access_tokens.get(access_token)
    if grant is None or grant.expires_at <= sandbox.now():
        raise StravaError.unauthorized("Athlete", "access_token")
    revoke_athlete(sandbox, grant.athlete_id)
    return JSONResponse({"access_token": access_token})


def revoke_athlete(sandbox: Sandbox, athlete_id: int) -> None:
    """The athlete withdraws the app: the deauthorization event goes out, the tokens die."""
    sandbox.webhooks.publish("update", "athlete", athlete_id, athlete_id,
                             {"authorized": "false"}, sandbox.now())
    sandbox.store.revoke(athlete_id)


def _check_client(params: dict[str, Any]) -> None:
    if str(params.get("client_id", "")) != str(SANDBOX_CLIENT_ID):
        raise StravaError.bad_request("Application", "client_id")
    if params.get("client_secret") != SANDBOX_CLIENT_SECRET:
        raise StravaError.unauthorized("Application", "")


def _exchange_code(sandbox: Sandbox, code: str) -> dict[str, Any]:
    grant = sandbox.store.codes.pop(code, None)  # single use: gone even when expired
    if grant is None or grant.expires_at <= sandbox.now():
        raise StravaError.bad_request("AuthorizationCode", "code")
    athlete = sandbox.store.athlete(grant.athlete_id, sandbox.now())
    athlete.authorized = True
    return {**_issue(sandbox, grant), "athlete": athlete.summary()}


def _refresh(sandbox: Sandbox, refresh_token: str) -> dict[str, Any]:
    # Rotated on every refresh; revoked with the athlete's other tokens by a deauthorization.
    grant = sandbox.store.refresh_tokens.pop(refresh_token, None)
    if grant is None:
        raise StravaError.bad_request("RefreshToken", "refresh_token")
    return _issue(sandbox, grant)


def _issue(sandbox: Sandbox, grant: Grant) -> dict[str, Any]:
    now = int(sandbox.now())
    expires_at = now + sandbox.store.token_ttls.get(grant.athlete_id, sandbox.config.token_ttl_s)
    access, refresh = secrets.token_hex(20), secrets.token_hex(20)
    sandbox.store.access_tokens[access] = Grant(grant.athlete_id, grant.scopes, expires_at)
    sandbox.store.refresh_tokens[refresh] = Grant(grant.athlete_id, grant.scopes, 0)
    return {"token_type": "Bearer", "expires_at": expires_at, "expires_in": expires_at - now,
            "refresh_token": refresh, "access_token": access}


def _scope_text(scopes: frozenset[str]) -> str:
    order = ("read", "read_all", "profile:read_all", "profile:write", "activity:read",
             "activity:read_all", "activity:write")
    return ",".join(s for s in order if s in scopes)


def _redirect(redirect_uri: str, params: dict[str, str]) -> Response:
    joiner = "&" if urlsplit(redirect_uri).query else "?"
    return RedirectResponse(f"{redirect_uri}{joiner}{urlencode(params)}", status_code=302)


ROUTES = [
    Route("/authorize", authorize, methods=["GET"]),
    Route("/token", token, methods=["POST"]),
    Route("/deauthorize", deauthorize, methods=["POST"]),
]
