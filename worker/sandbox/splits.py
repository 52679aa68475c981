"""Laps and per-distance splits in Strava's JSON shapes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from analysis.model import Activity, Lap, Streams, is_run
from worker.sandbox.tracks import RUN_CADENCE_DIVISOR

#: A metric split is one kilometre.
METRIC_SPLIT_M = 1000.0
#: A standard split is one statute mile.
STANDARD_SPLIT_M = 1609.344
#: The sandbox's athletes have no pace zones configured, which Strava reports as zone 0.
NO_PACE_ZONE = 0


def iso(moment: datetime) -> str:
    """Strava's timestamp format: seconds, no fraction, a literal Z (or none for local)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def strava_laps(
    activity: Activity, activity_id: int, athlete_id: int, utc_offset_s: int
) -> list[dict[str, Any]]:
    """The activity's laps; a recorded activity without laps gets Strava's one whole lap."""
    laps = activity.laps
    if not laps and not activity.manual and activity.streams is not None:
        laps = (Lap(0.0, activity.elapsed_s, activity.moving_s, activity.distance_m,
                    activity.avg_hr, activity.max_hr, activity.ascent_m),)
    return [
        _lap(activity, lap, i, activity_id, athlete_id, utc_offset_s)
        for i, lap in enumerate(laps)
    ]


def _lap(
    activity: Activity, lap: Lap, i: int, activity_id: int, athlete_id: int, utc_offset_s: int
) -> dict[str, Any]:
    start = activity.start + timedelta(seconds=lap.start_s)
    first, last = _indices(activity.streams, lap.start_s, lap.start_s + lap.elapsed_s)
    out: dict[str, Any] = {
        "id": activity_id * 1000 + i + 1,
        "resource_state": 2,
        "name": f"Lap {i + 1}",
        "activity": {"id": activity_id, "resource_state": 1},
        "athlete": {"id": athlete_id, "resource_state": 1},
        "elapsed_time": int(round(lap.elapsed_s)),
        "moving_time": int(round(lap.moving_s)),
        "start_date": iso(start),
        "start_date_local": iso(start + timedelta(seconds=utc_offset_s)),
        "distance": round(lap.distance_m, 1),
        "start_index": first,
        "end_index": last,
        "total_elevation_gain": round(lap.ascent_m or 0.0, 1),
        "average_speed": round(lap.speed, 3),
        "max_speed": _max(activity.streams, first, last, lap.speed),
        "lap_index": i + 1,
        "split": i + 1,
        "pace_zone": NO_PACE_ZONE,
    }
    if lap.avg_hr is not None:
        out["average_heartrate"] = round(lap.avg_hr, 1)
        out["max_heartrate"] = round(lap.max_hr or lap.avg_hr)
    cadence = _mean(activity.streams.cadence if activity.streams else None, first, last)
    if cadence is not None:
        divisor = RUN_CADENCE_DIVISOR if is_run(activity.sport) else 1.0
        out["average_cadence"] = round(cadence / divisor, 1)
    return out


def strava_splits(activity: Activity, split_m: float) -> list[dict[str, Any]]:
    """Splits every ``split_m`` metres from the streams, or the recorded kilometre splits."""
    s = activity.streams
    if s is not None and len(s) > 1 and s.distance[-1] > 0:
        return _stream_splits(s, split_m)
    if split_m == METRIC_SPLIT_M:
        return [_split_json(i, sp.distance_m, sp.elapsed_s, sp.moving_s, 0.0, sp.avg_hr)
                for i, sp in enumerate(activity.splits)]
    return []


def _stream_splits(s: Streams, split_m: float) -> list[dict[str, Any]]:
    total = float(s.distance[-1])
    bounds = [*np.arange(split_m, total, split_m), total]
    out: list[dict[str, Any]] = []
    start = 0
    for i, bound in enumerate(bounds):
        end = min(int(np.searchsorted(s.distance, bound)), len(s) - 1)
        if end <= start:
            continue
        altitude = s.altitude
        rise = 0.0 if altitude is None else float(np.nan_to_num(altitude[end] - altitude[start]))
        hr = _mean(s.heartrate, start, end)
        out.append(_split_json(
            i, float(s.distance[end] - s.distance[start]), float(s.time[end] - s.time[start]),
            float(np.count_nonzero(s.moving[start + 1:end + 1])), rise, hr,
        ))
        start = end
    return out


def _split_json(
    i: int, distance: float, elapsed: float, moving: float, rise: float, hr: float | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "distance": round(distance, 1),
        "elapsed_time": int(round(elapsed)),
        "moving_time": int(round(moving)),
        "elevation_difference": round(rise, 1),
        "average_speed": round(distance / moving, 3) if moving > 0 else 0.0,
        "split": i + 1,
        "pace_zone": NO_PACE_ZONE,
    }
    if hr is not None:
        out["average_heartrate"] = round(hr, 1)
    return out


def _indices(s: Streams | None, start_s: float, end_s: float) -> tuple[int, int]:
    if s is None or len(s) == 0:
        return 0, 0
    first = int(np.searchsorted(s.time, start_s))
    last = max(first, int(np.searchsorted(s.time, end_s)) - 1)
    return min(first, len(s) - 1), min(last, len(s) - 1)


def _max(s: Streams | None, first: int, last: int, default: float) -> float:
    if s is None or len(s) == 0:
        return round(default, 3)
    return round(float(np.nanmax(s.speed[first:last + 1])), 3)


def _mean(values: Any, first: int, last: int) -> float | None:
    if values is None:
        return None
    window = np.asarray(values[first:last + 1], dtype=np.float64)
    if window.size == 0 or np.isnan(window).all():
        return None
    return float(np.nanmean(window))
