"""Bearer tokens and scopes on /api/v3, checked the way Strava checks them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from worker.sandbox.errors import StravaError
from worker.sandbox.runtime import sandbox_of
from worker.sandbox.state import Grant

#: Scopes that let a token read activities; read_all adds the "Only Me" ones.
READ_SCOPES = frozenset({"activity:read", "activity:read_all"})


def grant_of(request: Request) -> Grant:
    """The grant behind the request's ``Authorization: Bearer`` token.

    Raises
    ------
    StravaError
        401 for a missing, unknown, expired or revoked token.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    sandbox = sandbox_of(request)
    grant = sandbox.store.access_tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if grant is None or grant.expires_at <= sandbox.now():
        raise StravaError.unauthorized("Athlete", "access_token")
    return grant


def require_read(request: Request) -> Grant:
    """The grant, if it may read activities; else Strava's 401 naming the missing permission
    on the access token (iamstuartwilson/strava#51)."""
    grant = grant_of(request)
    if not grant.scopes & READ_SCOPES:
        raise StravaError.unauthorized("AccessToken", "activity:read_permission", "missing")
    return grant


def require_write(request: Request) -> Grant:
    grant = grant_of(request)
    if "activity:write" not in grant.scopes:
        raise StravaError.unauthorized("AccessToken", "activity:write_permission", "missing")
    return grant


def sees_private(grant: Grant) -> bool:
    return "activity:read_all" in grant.scopes


async def form_or_json(request: Request) -> dict[str, Any]:
    """The request's parameters: query string, then a JSON or form body over it.

    Raises
    ------
    StravaError
        400 for a body that claims to be JSON but is not a JSON object.
    """
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise StravaError.bad_request("Request", "body") from None
        if not isinstance(body, dict):
            raise StravaError.bad_request("Request", "body")
        params.update(body)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form() as form:
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params
