"""Strava's athlete and activity endpoints under /api/v3."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from worker.sandbox.auth import form_or_json, grant_of, require_read, require_write, sees_private
from worker.sandbox.errors import StravaError
from worker.sandbox.fixtures import summary_activity
from worker.sandbox.runtime import sandbox_of
from worker.sandbox.sports import SPORT_TYPES, STREAM_TYPES, legacy_type
from worker.sandbox.state import Grant, StoredActivity

#: Strava's page size when the client names none.
DEFAULT_PER_PAGE = 30
#: Strava serves at most 200 items a page, whatever per_page asks for.
MAX_PER_PAGE = 200
#: UpdatableActivity's fields that hold text, and those that hold booleans.
TEXT_FIELDS = ("name", "description", "gear_id")
BOOL_FIELDS = ("trainer", "commute", "hide_from_home")


async def get_athlete(request: Request) -> Response:
    grant = grant_of(request)
    sandbox = sandbox_of(request)
    return JSONResponse(sandbox.store.athlete(grant.athlete_id, sandbox.now()).detailed())


async def list_activities(request: Request) -> Response:
    grant = require_read(request)
    query = request.query_params
    before = _int(query, "before", None)
    after = _int(query, "after", None)
    page = max(1, _int(query, "page", 1) or 1)
    per_page = min(MAX_PER_PAGE, max(1, _int(query, "per_page", DEFAULT_PER_PAGE) or 1))
    chosen = [
        a for a in sandbox_of(request).store.activities_of(grant.athlete_id)
        if (sees_private(grant) or not a.private)
        and (before is None or a.start_epoch < before)
        and (after is None or a.start_epoch > after)
    ]
    window = chosen[(page - 1) * per_page: page * per_page]
    return JSONResponse([summary_activity(a.detail) for a in window])


async def get_activity(request: Request) -> Response:
    activity = _readable(request, require_read(request))
    return JSONResponse(activity.detail)


async def get_laps(request: Request) -> Response:
    activity = _readable(request, require_read(request))
    return JSONResponse(activity.detail.get("laps", []))


async def get_streams(request: Request) -> Response:
    activity = _readable(request, require_read(request))
    query = request.query_params
    keys = [k for k in query.get("keys", "").split(",") if k]
    if not keys:
        raise StravaError.bad_request("Stream", "keys", "missing")
    if not activity.streams:
        return JSONResponse({"message": "Resource Not Found", "errors": []}, 404)
    series_type = query.get("series_type", "distance")
    if series_type not in ("distance", "time") or series_type not in activity.streams:
        series_type = "time" if "time" in activity.streams else "distance"
    wanted = [k for k in STREAM_TYPES if k in keys and k in activity.streams]
    if series_type not in wanted and series_type in activity.streams:
        wanted.append(series_type)
    streams = {k: _stream(activity.streams[k], series_type) for k in wanted}
    if query.get("key_by_type", "").lower() == "true":
        return JSONResponse(streams)
    return JSONResponse([{"type": k, **v} for k, v in streams.items()])


async def update_activity(request: Request) -> Response:
    grant = require_write(request)
    activity = _owned(request, grant)
    changes = _updatable(await form_or_json(request))
    updates: dict[str, str] = {}
    if "name" in changes and changes["name"] != activity.detail.get("name"):
        updates["title"] = changes["name"]
    if "type" in changes and changes["type"] != activity.detail.get("type"):
        updates["type"] = changes["type"]
    activity.detail.update(changes)
    sandbox = sandbox_of(request)
    if updates:
        sandbox.webhooks.publish("update", "activity", activity.id, activity.athlete_id,
                                 updates, sandbox.now())
    return JSONResponse(activity.detail)


def _updatable(params: dict[str, Any]) -> dict[str, Any]:
    """UpdatableActivity's fields from a request; unknown fields are ignored, like Strava.

    Raises
    ------
    StravaError
        400 for a sport type Strava does not know.
    """
    changes: dict[str, Any] = {k: str(params[k]) for k in TEXT_FIELDS if k in params}
    for key in BOOL_FIELDS:
        flag = _bool(params.get(key))
        if flag is not None:
            changes[key] = flag
    sport = params.get("sport_type") or params.get("type")
    if sport is not None:
        if sport not in SPORT_TYPES:
            raise StravaError.bad_request("Activity", "sport_type")
        changes.update(sport_type=sport, type=legacy_type(str(sport)))
    return changes


def _bool(value: Any) -> bool | None:
    """A JSON boolean or a form's true/false; anything else Strava does not apply."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _owned(request: Request, grant: Grant) -> StoredActivity:
    sandbox = sandbox_of(request)
    activity = sandbox.store.activities.get(request.path_params["id"])
    if (activity is None or activity.athlete_id != grant.athlete_id
            or sandbox.faults.hides(activity.created_at, sandbox.now())):
        raise StravaError.not_found("Activity")
    return activity


def _readable(request: Request, grant: Grant) -> StoredActivity:
    activity = _owned(request, grant)
    if activity.private and not sees_private(grant):
        raise StravaError.not_found("Activity")
    return activity


def _stream(data: list[Any], series_type: str) -> dict[str, Any]:
    return {"data": data, "series_type": series_type, "original_size": len(data),
            "resolution": "high"}


def _int(query: QueryParams, name: str, default: int | None) -> int | None:
    text = query.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise StravaError.bad_request("Activity", name) from None


ROUTES = [
    Route("/athlete", get_athlete, methods=["GET"]),
    Route("/athlete/activities", list_activities, methods=["GET"]),
    Route("/activities/{id:int}", get_activity, methods=["GET"]),
    Route("/activities/{id:int}", update_activity, methods=["PUT"]),
    Route("/activities/{id:int}/laps", get_laps, methods=["GET"]),
    Route("/activities/{id:int}/streams", get_streams, methods=["GET"]),
]
