"""The control API under /_sandbox/: what athletes do in the app, and what tests inspect.

No auth and no quota: this is the sandbox's own back door, not part of Strava.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analysis.model import Activity, Workout
from worker.ratelimits import ConfigError, RateLimits
from worker.sandbox.faults import Faults
from worker.sandbox.fixtures import detailed_activity, from_bundle
from worker.sandbox.oauth import revoke_athlete
from worker.sandbox.quota import RateLimiter
from worker.sandbox.runtime import Sandbox, sandbox_of
from worker.sandbox.seeding import generate_activity, history_plan
from worker.sandbox.sports import SPORT_TYPES, legacy_type
from worker.sandbox.state import StoredActivity
from worker.sandbox.stats import Stats


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def render(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for :class:`ControlError`."""
    if not isinstance(exc, ControlError):
        raise exc
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


def store_activity(sandbox: Sandbox, athlete_id: int, activity: Activity, description: str = "",
                   private: bool = False) -> StoredActivity:
    """Put a new activity on the athlete's account, as an upload would."""
    activity_id = sandbox.store.next_activity_id()
    detail, streams = detailed_activity(activity, activity_id, athlete_id, description, private)
    stored = StoredActivity(activity_id, athlete_id, detail, streams, sandbox.now())
    sandbox.store.athlete(athlete_id, sandbox.now())
    sandbox.store.add(stored)
    return stored


def seed_history(sandbox: Sandbox, athlete_id: int, days: int, seed: int) -> list[int]:
    """Weeks of past training for the athlete, with no events (it happened before)."""
    rng = np.random.default_rng(seed)
    today = datetime.fromtimestamp(sandbox.now(), UTC)
    return [store_activity(sandbox, athlete_id, generate_activity(w, rng, start, athlete_id)).id
            for w, start in history_plan(days, today, rng)]


async def create_activity(request: Request) -> Response:
    sandbox = sandbox_of(request)
    body = await _body(request)
    athlete_id = request.path_params["id"]
    if "bundle" in body:
        stored = _from_bundle(sandbox, athlete_id, body)
    else:
        stored = store_activity(sandbox, athlete_id, _generated(sandbox, athlete_id, body),
                                str(body.get("description", "")), bool(body.get("private")))
    if body.get("notify", True):
        sandbox.webhooks.publish("create", "activity", stored.id, athlete_id, {}, sandbox.now())
    return JSONResponse({"id": stored.id}, status_code=201)


async def create_history(request: Request) -> Response:
    sandbox = sandbox_of(request)
    body = await _body(request)
    ids = seed_history(sandbox, request.path_params["id"], int(body.get("days", 56)),
                       int(body.get("seed", 1)))
    return JSONResponse({"ids": ids}, status_code=201)


async def update_activity(request: Request) -> Response:
    """The athlete renames, retypes or hides an activity in the app: an update event."""
    sandbox = sandbox_of(request)
    activity = _activity(request)
    body = await _body(request)
    updates: dict[str, str] = {}
    if "name" in body:
        activity.detail["name"] = updates["title"] = str(body["name"])
    if "type" in body:
        if body["type"] not in SPORT_TYPES:
            raise ControlError(400, f"unknown sport type {body['type']!r}")
        activity.detail.update(sport_type=body["type"], type=legacy_type(body["type"]))
        updates["type"] = str(body["type"])
    if "private" in body:
        private = bool(body["private"])
        activity.detail.update(private=private, visibility="only_me" if private else "everyone")
        updates["private"] = "true" if private else "false"
    if not updates:
        raise ControlError(400, "give name, type or private")
    sandbox.webhooks.publish("update", "activity", activity.id, activity.athlete_id, updates,
                             sandbox.now())
    return JSONResponse(activity.detail)


async def delete_activity(request: Request) -> Response:
    sandbox = sandbox_of(request)
    activity = _activity(request)
    del sandbox.store.activities[activity.id]
    sandbox.webhooks.publish("delete", "activity", activity.id, activity.athlete_id, {},
                             sandbox.now())
    return Response(status_code=204)


async def edit_description(request: Request) -> Response:
    """The athlete edits the description in the app; Strava sends no event for that."""
    activity = _activity(request)
    body = await _body(request)
    if not isinstance(body.get("description"), str):
        raise ControlError(400, "give the description as a string")
    activity.detail["description"] = body["description"]
    return JSONResponse(activity.detail)


async def deauthorize(request: Request) -> Response:
    sandbox = sandbox_of(request)
    athlete_id = request.path_params["id"]
    if athlete_id not in sandbox.store.athletes:
        raise ControlError(404, f"no athlete {athlete_id}")
    revoke_athlete(sandbox, athlete_id)
    return Response(status_code=204)


async def show_activity(request: Request) -> Response:
    return JSONResponse(_activity(request).detail)


async def list_activities(request: Request) -> Response:
    store = sandbox_of(request).store
    return JSONResponse([a.detail for a in store.activities_of(request.path_params["id"])])


async def show_stats(request: Request) -> Response:
    sandbox = sandbox_of(request)
    usage = sandbox.limiter.usage(sandbox.now()).as_json()
    return JSONResponse(sandbox.stats.as_json(usage))


async def reset_stats(request: Request) -> Response:
    sandbox_of(request).stats = Stats()
    return Response(status_code=204)


async def set_faults(request: Request) -> Response:
    try:
        faults = Faults.from_json(await _body(request))
    except (TypeError, ValueError) as exc:
        raise ControlError(400, str(exc)) from None
    sandbox_of(request).faults.configure(faults)
    return JSONResponse({k: v for k, v in vars(faults).items()})


async def set_token_ttl(request: Request) -> Response:
    """The lifetime of the access tokens issued to the athlete from now on: ``{"seconds": N}``,
    or ``{"seconds": null}`` for the sandbox's own (SANDBOX_TOKEN_TTL). Tokens already issued
    keep their expiry."""
    store = sandbox_of(request).store
    athlete_id = request.path_params["id"]
    body = await _body(request)
    if set(body) != {"seconds"}:
        raise ControlError(400, "give seconds, and only seconds")
    seconds = body["seconds"]
    if seconds is None:
        store.token_ttls.pop(athlete_id, None)
    elif isinstance(seconds, int) and not isinstance(seconds, bool) and seconds >= 0:
        store.token_ttls[athlete_id] = seconds
    else:
        raise ControlError(400, "give seconds as a whole number from 0, or null")
    ttl = store.token_ttls.get(athlete_id, sandbox_of(request).config.token_ttl_s)
    return JSONResponse({"seconds": ttl})


async def set_quota(request: Request) -> Response:
    """The application's quota from now on, ``{"limits": "overall15,overallDay;read15,readDay"}``
    as in STRAVA_RATE_LIMITS; ``{}`` for the sandbox's own. Counting starts afresh, as for a new
    application; the windows stay."""
    sandbox = sandbox_of(request)
    body = await _body(request)
    unknown = set(body) - {"limits"}
    if unknown:
        raise ControlError(400, f"unknown quota settings: {sorted(unknown)}")
    try:
        limits = (RateLimits.parse(str(body["limits"])) if "limits" in body
                  else sandbox.config.quota)
    except ConfigError as exc:
        raise ControlError(400, str(exc)) from None
    sandbox.limiter = RateLimiter(limits, sandbox.config.windows)
    return JSONResponse({"limits": _limits_text(limits)})


def _limits_text(limits: RateLimits) -> str:
    return (f"{limits.overall_short},{limits.overall_daily};"
            f"{limits.read_short},{limits.read_daily}")


def _generated(sandbox: Sandbox, athlete_id: int, body: dict[str, Any]) -> Activity:
    try:
        workout = Workout(body.get("workout", "easy"))
    except ValueError:
        raise ControlError(400, f"unknown workout {body.get('workout')!r}") from None
    seed = body.get("seed")
    rng = np.random.default_rng(None if seed is None else int(seed))
    manual = bool(body.get("manual", False))
    if body.get("start"):
        try:
            start = datetime.fromisoformat(str(body["start"]))
        except ValueError:
            raise ControlError(400, f"start {body['start']!r} is not an ISO timestamp") from None
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
        return generate_activity(workout, rng, start.astimezone(UTC), athlete_id, manual)
    # An upload arrives when the session is over, so it started one session length ago.
    finished = datetime.fromtimestamp(sandbox.now(), UTC)
    activity = generate_activity(workout, rng, finished, athlete_id, manual)
    return replace(activity, start=finished - timedelta(seconds=activity.elapsed_s))


def _from_bundle(sandbox: Sandbox, athlete_id: int, body: dict[str, Any]) -> StoredActivity:
    bundle = body["bundle"]
    if not isinstance(bundle, dict):
        raise ControlError(400, "bundle must be an object")
    activity_id = sandbox.store.next_activity_id()
    try:
        detail, streams = from_bundle(bundle, activity_id, athlete_id)
    except ValueError as exc:
        raise ControlError(400, str(exc)) from None
    if "description" in body:
        detail["description"] = str(body["description"])
    stored = StoredActivity(activity_id, athlete_id, detail, streams, sandbox.now())
    sandbox.store.athlete(athlete_id, sandbox.now())
    sandbox.store.add(stored)
    return stored


def _activity(request: Request) -> StoredActivity:
    activity = sandbox_of(request).store.activities.get(request.path_params["id"])
    if activity is None:
        raise ControlError(404, f"no activity {request.path_params['id']}")
    return activity


async def _body(request: Request) -> dict[str, Any]:
    if not await request.body():
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ControlError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


ROUTES = [
    Route("/athletes/{id:int}/activities", create_activity, methods=["POST"]),
    Route("/athletes/{id:int}/activities", list_activities, methods=["GET"]),
    Route("/athletes/{id:int}/history", create_history, methods=["POST"]),
    Route("/athletes/{id:int}/deauthorize", deauthorize, methods=["POST"]),
    Route("/athletes/{id:int}/token_ttl", set_token_ttl, methods=["POST"]),
    Route("/activities/{id:int}", show_activity, methods=["GET"]),
    Route("/activities/{id:int}", delete_activity, methods=["DELETE"]),
    Route("/activities/{id:int}/update", update_activity, methods=["POST"]),
    Route("/activities/{id:int}/description", edit_description, methods=["PUT"]),
    Route("/stats", show_stats, methods=["GET"]),
    Route("/stats/reset", reset_stats, methods=["POST"]),
    Route("/faults", set_faults, methods=["POST"]),
    Route("/quota", set_quota, methods=["POST"]),
]
