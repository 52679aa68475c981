"""Strava's stream arrays for an activity, with a plausible GPS track synthesised for it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.model import Activity, FloatArray, Streams, is_run, is_strength

#: Where the sandbox's athletes run: Parque Ibirapuera, São Paulo (no daylight saving time).
HOME_LATLNG = (-23.5874, -46.6576)
#: Length of the synthesised loop; a park circuit of about 3 km.
LOOP_M = 3000.0
#: Metres per degree of latitude (WGS84 mean).
M_PER_DEG_LAT = 111_320.0
#: Keep every n-th point in the summary polyline, as Strava thins it for lists.
SUMMARY_STEP = 20
#: The encoded polyline writes a number five bits a character (POLYLINE_MASK), at most seven
#: of them for a zig-zagged 32-bit change, marks every character but a number's last with
#: POLYLINE_MORE, and offsets each by POLYLINE_OFFSET into printable ASCII (Google's format).
POLYLINE_BITS = 5
POLYLINE_CHUNKS = 7
POLYLINE_MASK = 0x1F
POLYLINE_MORE = 0x20
POLYLINE_OFFSET = 63
#: Strava reports running cadence per leg (about 85 rpm), half the steps per minute.
RUN_CADENCE_DIVISOR = 2.0

JsonStreams = dict[str, list[Any]]


def strava_streams(activity: Activity) -> JsonStreams:
    """Every stream Strava would hold for ``activity``, keyed by Strava's stream type.

    An activity without samples (manual entries) has none. One that covered no distance
    (a strength session on a watch) has only time and heart rate; one indoors (trainer,
    treadmill) has no GPS track, altitude or grade.
    """
    s = activity.streams
    if s is None or len(s) == 0:
        return {}
    out: JsonStreams = {"time": [int(t) for t in s.time]}
    moved = activity.distance_m > 0 and not is_strength(activity.sport)
    if moved:
        out["distance"] = _rounded(s.distance, 1)
        out["velocity_smooth"] = _rounded(s.speed, 3)
        out["moving"] = [bool(m) for m in s.moving]
    outdoors = moved and not activity.trainer
    if outdoors:
        out["latlng"] = loop_track(s.distance)
    optional = {
        "altitude": (s.altitude if outdoors else None, 1, 1.0),
        "heartrate": (s.heartrate, 0, 1.0),
        "cadence": (s.cadence if moved else None, 0,
                    RUN_CADENCE_DIVISOR if is_run(activity.sport) else 1.0),
        "watts": (s.power, 0, 1.0),
        "grade_smooth": (s.grade if outdoors else None, 1, 1.0),
    }
    for key, (values, digits, divisor) in optional.items():
        filled = _filled(values)
        if filled is not None:
            out[key] = _rounded(filled / divisor, digits)
    return out


def loop_track(distance: FloatArray) -> list[list[float]]:
    """Points on a wobbly park loop, placed by the cumulative distance covered."""
    theta = 2.0 * math.pi * np.asarray(distance) / LOOP_M
    radius = LOOP_M / (2.0 * math.pi) * (1.0 + 0.12 * np.sin(3.0 * theta))
    lat0, lng0 = HOME_LATLNG
    lat = lat0 + radius * np.sin(theta) / M_PER_DEG_LAT
    lng = lng0 + radius * (1.0 - np.cos(theta)) / (M_PER_DEG_LAT * math.cos(math.radians(lat0)))
    track: list[list[float]] = np.round(np.column_stack((lat, lng)), 6).tolist()
    return track


def encode_polyline(points: list[list[float]]) -> str:
    """Google's encoded polyline format (precision 5), which Strava's ``map`` fields use: each
    coordinate's change from the one before, zig-zagged to a non-negative number and written
    five bits a character, low bits first, every character but a number's last marked 0x20,
    each offset by 63. Done on whole arrays: a track holds thousands of points, and the sandbox
    writes one for every activity it stores."""
    if not points:
        return ""
    coords = np.round(np.asarray(points, dtype=np.float64) * 1e5).astype(np.int64)
    deltas = np.diff(coords, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    values = np.where(deltas < 0, ~(deltas << 1), deltas << 1)
    shifts = POLYLINE_BITS * np.arange(POLYLINE_CHUNKS)
    chunks = (values[:, None] >> shifts) & POLYLINE_MASK
    # Characters per number: one, and one more for every five bits past the first five.
    count = 1 + np.count_nonzero(values[:, None] >> shifts[1:], axis=1)
    position = np.arange(POLYLINE_CHUNKS)
    codes = chunks | np.where(position < (count - 1)[:, None], POLYLINE_MORE, 0)
    return bytes((codes + POLYLINE_OFFSET)[position < count[:, None]].astype(np.uint8)).decode()


def summary_points(points: list[list[float]]) -> list[list[float]]:
    """The thinned track of a summary polyline, keeping the last point."""
    if not points:
        return []
    thinned = points[::SUMMARY_STEP]
    return thinned if thinned[-1] == points[-1] else [*thinned, points[-1]]


def _filled(values: FloatArray | None) -> FloatArray | None:
    """Carry the last good sample over gaps; Strava streams hold no nulls."""
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64)
    good = ~np.isnan(arr)
    if not good.any():
        return None
    index = np.where(good, np.arange(arr.size), 0)
    np.maximum.accumulate(index, out=index)
    first = int(np.argmax(good))
    index[:first] = first
    return arr[index]


def _rounded(values: FloatArray, digits: int) -> list[Any]:
    rounded = np.round(np.asarray(values, dtype=np.float64), digits)
    return (rounded.astype(np.int64) if digits == 0 else rounded).tolist()  # type: ignore[no-any-return]


def stream_summary(s: Streams | None) -> dict[str, float]:
    """Maximum speed and altitude range, for the activity's summary fields."""
    if s is None or len(s) == 0:
        return {}
    out = {"max_speed": round(float(np.nanmax(s.speed)), 3)}
    altitude = _filled(s.altitude)
    if altitude is not None:
        out["elev_high"] = round(float(altitude.max()), 1)
        out["elev_low"] = round(float(altitude.min()), 1)
    return out
