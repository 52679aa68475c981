"""Strava's own JSON: a DetailedActivity, with or without its streams.

A bundle is ``{"activity": <DetailedActivity>, "streams": {...}}`` (docs/DESIGN.md).
Streams come keyed by type (``{"time": {"data": [...]}}``, as the API answers
with ``key_by_type=true``) or as the API's list (``[{"type": "time", "data": [...]}]``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import chain
from typing import Any

import numpy as np

from analysis.model import Activity, FloatArray, Lap, Streams
from analysis.parsers import summary
from analysis.parsers.errors import ActivityFileError
from analysis.plausibility import without_vehicle_stretches

#: Sport type of an activity that names none (Strava always does; hand-made JSON may not).
DEFAULT_SPORT = "Workout"
#: Strava stream keys and the resampled channels they feed.
STREAM_CHANNELS = {"distance": "distance", "heartrate": "heartrate", "altitude": "altitude",
                   "cadence": "cadence", "watts": "power"}


def parse_bundle(doc: Any, name: str = "bundle") -> Activity:
    """Read a bundle, or a bare DetailedActivity (an activity without streams).

    Raises
    ------
    ActivityFileError
        When ``doc`` is neither, or its fields are not what Strava sends.
    """
    if isinstance(doc, dict) and isinstance(doc.get("activity"), dict):
        return activity_from_strava(doc["activity"], doc.get("streams"), name=name)
    if isinstance(doc, dict) and ("sport_type" in doc or "type" in doc) and "start_date" in doc:
        return activity_from_strava(doc, None, name=name)
    raise ActivityFileError(name, "JSON is not a Strava bundle: expected an object with an "
                            "'activity' (a DetailedActivity) and optional 'streams'")


def activity_from_strava(detailed: dict[str, Any], streams: Any = None, *,
                         name: str | None = None) -> Activity:
    """An Activity from Strava's DetailedActivity and (optionally) its streams.

    Raises
    ------
    ActivityFileError
        When a field has the wrong type, the start date is missing or streams are
        malformed. ``name`` labels the error (default: ``activity <id>``).
    """
    if not isinstance(detailed, dict):
        raise ActivityFileError(name or "activity", "Strava activity is not a JSON object")
    label = name or f"activity {detailed.get('id', '')}".strip()
    try:
        return without_vehicle_stretches(_activity(detailed, streams, label))
    except ActivityFileError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise ActivityFileError(label, f"Strava activity is malformed ({err})") from err


def _activity(detailed: dict[str, Any], raw_streams: Any, label: str) -> Activity:
    sport = str(detailed.get("sport_type") or detailed.get("type") or DEFAULT_SPORT)
    start = _date(detailed.get("start_date"), label)
    channels = _stream_arrays(raw_streams, label)
    streams = _streams(channels, sport, label) if "time" in channels else None
    avg_hr, max_hr = _number(detailed, "average_heartrate"), _number(detailed, "max_heartrate")
    if avg_hr is None and streams is not None:
        avg_hr, max_hr = summary.heart_rate(streams)
    workout_type = detailed.get("workout_type")
    return Activity(
        sport=sport, start=start,
        elapsed_s=_total(detailed, "elapsed_time", streams, lambda s: float(s.time[-1])),
        moving_s=_total(detailed, "moving_time", streams, summary.moving_time),
        distance_m=_total(detailed, "distance", streams, lambda s: float(s.distance[-1])),
        ascent_m=_or_measured(_number(detailed, "total_elevation_gain"), streams),
        avg_hr=avg_hr, max_hr=max_hr,
        laps=tuple(_lap(lap, start, channels.get("time"), label)
                   for lap in detailed.get("laps") or ()),
        splits=_splits(detailed.get("splits_metric") or ()),
        streams=streams,
        workout_type=workout_type if type(workout_type) is int else None,
        name=str(detailed.get("name") or ""),
        manual=bool(detailed.get("manual", False)),
        trainer=bool(detailed.get("trainer", False)),
    )


def _stream_arrays(raw: Any, label: str) -> dict[str, Any]:
    """Stream data by key, from either of Strava's two shapes."""
    if raw is None:
        return {}
    if isinstance(raw, list):
        raw = {s.get("type"): s for s in raw if isinstance(s, dict)}
    if not isinstance(raw, dict):
        raise ActivityFileError(label, "streams must be an object keyed by type or a list")
    data = {key: value.get("data") if isinstance(value, dict) else value
            for key, value in raw.items()}
    return {key: values for key, values in data.items() if isinstance(values, list) and values}


def _streams(channels: dict[str, Any], sport: str, label: str) -> Streams:
    time = _floats(channels["time"])
    arrays = {target: _floats(channels[key]) for key, target in STREAM_CHANNELS.items()
              if key in channels}
    if "latlng" in channels:
        latlng = _latlng(channels["latlng"])
        arrays["lat"], arrays["lon"] = latlng[:, 0], latlng[:, 1]
    lengths = {key: a.shape[0] for key, a in arrays.items()} | {"time": time.shape[0]}
    if len(set(lengths.values())) > 1:
        raise ActivityFileError(label, f"streams differ in length: {lengths}")
    return summary.streams_for(label, sport, time, arrays)


def _floats(values: list[Any]) -> FloatArray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        # Gaps arrive as null; anything else that is not a number is a gap too.
        return np.array([_finite(v) for v in values], dtype=np.float64)


def _latlng(values: list[Any]) -> FloatArray:
    try:
        if set(map(len, values)) == {2}:
            flat = np.fromiter(chain.from_iterable(values), np.float64, count=2 * len(values))
            return flat.reshape(-1, 2)
    except (TypeError, ValueError):
        pass
    # Slow path for gaps (null or short pairs): each one becomes a missing position.
    pairs = [p if isinstance(p, list | tuple) and len(p) == 2 else (None, None) for p in values]
    return np.array([(_finite(a), _finite(b)) for a, b in pairs], dtype=np.float64)


def _finite(value: Any) -> float:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if is_number else math.nan


def _lap(lap: dict[str, Any], start: datetime, time: Any, label: str) -> Lap:
    """A Strava lap; its start from start_date, else from start_index into the time stream."""
    index = lap.get("start_index")
    if lap.get("start_date"):
        offset = (_date(lap["start_date"], label) - start).total_seconds()
    elif time is not None and type(index) is int and 0 <= index < len(time):
        offset = float(time[index])
    else:
        offset = 0.0
    return Lap(start_s=offset, elapsed_s=_number(lap, "elapsed_time") or 0.0,
               moving_s=_number(lap, "moving_time") or 0.0,
               distance_m=_number(lap, "distance") or 0.0,
               avg_hr=_number(lap, "average_heartrate"), max_hr=_number(lap, "max_heartrate"),
               ascent_m=_number(lap, "total_elevation_gain"))


def _splits(splits: Any) -> tuple[Lap, ...]:
    result, offset = [], 0.0
    for split in splits:
        elapsed = _number(split, "elapsed_time") or 0.0
        rise = _number(split, "elevation_difference")
        result.append(Lap(start_s=offset, elapsed_s=elapsed,
                          moving_s=_number(split, "moving_time") or 0.0,
                          distance_m=_number(split, "distance") or 0.0,
                          avg_hr=_number(split, "average_heartrate"),
                          ascent_m=rise if rise is not None and rise > 0 else None))
        offset += elapsed
    return tuple(result)


def _total(detailed: dict[str, Any], key: str, streams: Streams | None,
           measure: Callable[[Streams], float]) -> float:
    value = _number(detailed, key)
    if value is not None:
        return value
    return measure(streams) if streams is not None else 0.0


def _or_measured(ascent: float | None, streams: Streams | None) -> float | None:
    if ascent is not None or streams is None:
        return ascent
    return summary.ascent(streams.altitude)


def _number(values: dict[str, Any], key: str) -> float | None:
    value = values.get(key)
    if value is None:
        return None
    number = _finite(value)
    if math.isnan(number):
        raise ValueError(f"{key} is {value!r}, not a number")
    return number


def _date(text: Any, label: str) -> datetime:
    if not isinstance(text, str):
        raise ActivityFileError(label, "Strava activity has no start_date")
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
