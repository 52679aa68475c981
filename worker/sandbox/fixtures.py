"""Activities in Strava's JSON: DetailedActivity, SummaryActivity and bundles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from analysis.model import Activity, is_run
from worker.sandbox.splits import (
    METRIC_SPLIT_M,
    STANDARD_SPLIT_M,
    iso,
    strava_laps,
    strava_splits,
)
from worker.sandbox.sports import legacy_type
from worker.sandbox.tracks import (
    JsonStreams,
    encode_polyline,
    strava_streams,
    stream_summary,
    summary_points,
)

#: The sandbox's athletes live in São Paulo; Strava names the zone by its standard offset.
TIMEZONE = "(GMT-03:00) America/Sao_Paulo"
#: São Paulo has kept UTC-3 all year since 2019, so one offset fits every date.
UTC_OFFSET_S = -3 * 3600
#: What the sandbox's athletes record with.
DEVICE_NAME = "Garmin Forerunner 255"
#: Strava's ``workout_type`` when the athlete did not pick one: 0 for runs, 10 for rides.
DEFAULT_RUN_WORKOUT_TYPE = 0
DEFAULT_RIDE_WORKOUT_TYPE = 10
#: Keys that only the detailed representation carries.
DETAIL_ONLY = ("description", "laps", "splits_metric", "splits_standard", "segment_efforts",
               "best_efforts", "calories", "embed_token", "gear", "photos")
#: How Strava spells sports in titles where it differs from the type.
SPORT_WORDS = {"WeightTraining": "Weight Training", "StandUpPaddling": "Stand Up Paddling",
               "VirtualRun": "Virtual Run", "VirtualRide": "Virtual Ride"}
#: Local hours from which Strava's automatic titles name the part of the day.
DAY_PARTS = ((0, "Night"), (5, "Morning"), (11, "Lunch"), (14, "Afternoon"), (18, "Evening"),
             (22, "Night"))


def detailed_activity(
    activity: Activity,
    activity_id: int,
    athlete_id: int,
    description: str = "",
    private: bool = False,
) -> tuple[dict[str, Any], JsonStreams]:
    """The DetailedActivity Strava would serve for ``activity``, and its streams.

    The title is Strava's automatic one; ``activity.name`` is the source's label, not a title.
    """
    streams = strava_streams(activity)
    track = streams.get("latlng", [])
    start_local = activity.start + timedelta(seconds=UTC_OFFSET_S)
    detail: dict[str, Any] = {
        "id": activity_id,
        "resource_state": 3,
        "external_id": None if activity.manual else f"sandbox-{activity_id}.fit",
        "upload_id": None if activity.manual else activity_id + 1,
        "athlete": {"id": athlete_id, "resource_state": 1},
        "name": auto_name(activity),
        "distance": round(activity.distance_m, 1),
        "moving_time": int(round(activity.moving_s)),
        "elapsed_time": int(round(activity.elapsed_s)),
        "total_elevation_gain": round(activity.ascent_m or 0.0, 1),
        "type": legacy_type(activity.sport),
        "sport_type": activity.sport,
        "workout_type": _workout_type(activity),
        "start_date": iso(activity.start),
        "start_date_local": iso(start_local),
        "timezone": TIMEZONE,
        "utc_offset": float(UTC_OFFSET_S),
        "location_city": None,
        "location_state": None,
        "location_country": "Brazil",
        "start_latlng": track[0] if track else [],
        "end_latlng": track[-1] if track else [],
        "achievement_count": 0,
        "kudos_count": 0,
        "comment_count": 0,
        "athlete_count": 1,
        "photo_count": 0,
        "total_photo_count": 0,
        "pr_count": 0,
        "map": _map(activity_id, track),
        "trainer": activity.trainer,
        "commute": False,
        "manual": activity.manual,
        "private": private,
        "visibility": "only_me" if private else "everyone",
        "flagged": False,
        "gear_id": None,
        "hide_from_home": False,
        "from_accepted_tag": False,
        "has_kudoed": False,
        "average_speed": round(activity.speed, 3),
        "max_speed": round(activity.speed, 3),
        "has_heartrate": activity.avg_hr is not None,
        "device_name": None if activity.manual else DEVICE_NAME,
        "description": description,
        "laps": strava_laps(activity, activity_id, athlete_id, UTC_OFFSET_S),
        "segment_efforts": [],
        "best_efforts": [],
        "embed_token": f"{activity_id:x}",
    }
    detail.update(stream_summary(activity.streams))
    detail.update(_heart_rate(activity))
    if "distance" in streams:
        detail["splits_metric"] = strava_splits(activity, METRIC_SPLIT_M)
        detail["splits_standard"] = strava_splits(activity, STANDARD_SPLIT_M)
    elif activity.splits:
        detail["splits_metric"] = strava_splits(activity, METRIC_SPLIT_M)
    return detail, streams


def summary_activity(detail: dict[str, Any]) -> dict[str, Any]:
    """The SummaryActivity Strava lists for a stored DetailedActivity."""
    summary = {k: v for k, v in detail.items() if k not in DETAIL_ONLY}
    summary["resource_state"] = 2
    summary["map"] = {k: v for k, v in detail["map"].items() if k != "polyline"}
    summary["map"]["resource_state"] = 2
    return summary


def from_bundle(
    bundle: dict[str, Any], activity_id: int, athlete_id: int
) -> tuple[dict[str, Any], JsonStreams]:
    """A Strava JSON bundle (``{"activity": ..., "streams": {key: {"data": [...]}}}``) re-owned.

    Raises
    ------
    ValueError
        When the bundle lacks the activity object or a stream lacks its data.
    """
    activity = bundle.get("activity")
    if not isinstance(activity, dict):
        raise ValueError("bundle needs an 'activity' object")
    detail = dict(activity)
    detail.update(id=activity_id, resource_state=3,
                  athlete={"id": athlete_id, "resource_state": 1})
    detail.setdefault("description", "")
    detail.setdefault("private", False)
    detail.setdefault("map", {"id": f"a{activity_id}", "polyline": None, "summary_polyline": ""})
    streams: JsonStreams = {}
    for key, stream in (bundle.get("streams") or {}).items():
        data = stream.get("data") if isinstance(stream, dict) else None
        if not isinstance(data, list):
            raise ValueError(f"stream {key!r} needs a 'data' list")
        streams[str(key)] = data
    return detail, streams


def auto_name(activity: Activity) -> str:
    """Strava's automatic title: the part of the local day and the sport ("Morning Run")."""
    hour = (activity.start + timedelta(seconds=UTC_OFFSET_S)).hour
    part = next(name for start_hour, name in reversed(DAY_PARTS) if hour >= start_hour)
    sport = legacy_type(activity.sport)
    return f"{part} {SPORT_WORDS.get(sport, sport)}"


def _workout_type(activity: Activity) -> int | None:
    if activity.workout_type is not None:
        return activity.workout_type
    if is_run(activity.sport):
        return DEFAULT_RUN_WORKOUT_TYPE
    if legacy_type(activity.sport) == "Ride":
        return DEFAULT_RIDE_WORKOUT_TYPE
    return None


def _heart_rate(activity: Activity) -> dict[str, float]:
    if activity.avg_hr is None:
        return {}
    return {
        "average_heartrate": round(activity.avg_hr, 1),
        "max_heartrate": float(round(activity.max_hr or activity.avg_hr)),
    }


def _map(activity_id: int, track: list[list[float]]) -> dict[str, Any]:
    return {
        "id": f"a{activity_id}",
        "polyline": encode_polyline(track) if track else None,
        "summary_polyline": encode_polyline(summary_points(track)),
        "resource_state": 3,
    }
