"""Garmin Training Center (TCX) files, read with tcxreader."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np
from tcxreader.tcxreader import TCXReader  # type: ignore[import-untyped]

from analysis.model import Activity, FloatArray, Lap, Streams
from analysis.parsers import summary
from analysis.parsers.errors import ActivityFileError
from analysis.parsers.sports import sport_from_name

#: Sport of an activity whose Sport attribute names nothing we know ("Other").
DEFAULT_SPORT = "Workout"

_TCX_FAILURES = (ParseError, ValueError, TypeError, KeyError, AttributeError, IndexError)


def parse_tcx(data: bytes, name: str) -> Activity:
    """Read a TCX activity: laps, track points, heart rate, cadence, altitude.

    Raises
    ------
    ActivityFileError
        When the XML is invalid or no track point carries a time.
    """
    try:
        exercise = TCXReader().read(io.BytesIO(data), only_gps=False)
    except _TCX_FAILURES as err:
        raise ActivityFileError(name, f"not a readable TCX file ({err})") from err
    points = [p for p in exercise.trackpoints if isinstance(p.time, datetime)]
    if not points:
        raise ActivityFileError(name, "TCX file has no track point with a time")
    sport = sport_from_name(exercise.activity_type) or DEFAULT_SPORT
    times = np.array([_utc(p.time).timestamp() for p in points])
    start = float(times.min())
    streams = summary.streams_for(name, sport, times - start, _channels(points))
    laps = _laps(exercise.laps, start, streams)
    activity = summary.activity_from_streams(sport, datetime.fromtimestamp(start, UTC),
                                             streams, laps)
    recorded = sum(lap.distance_m for lap in laps)
    if recorded > 0:
        # The device's own lap distances beat a sum over possibly sparse points.
        return replace(activity, distance_m=recorded)
    return activity


def _channels(points: list[Any]) -> dict[str, FloatArray]:
    run_cadence = _column([p.tpx_ext.get("RunCadence") for p in points])
    cadence = np.where(np.isfinite(run_cadence), run_cadence,
                       _column([p.cadence for p in points]))
    channels = {
        "distance": _column([p.distance for p in points]),
        "lat": _column([p.latitude for p in points]),
        "lon": _column([p.longitude for p in points]),
        "altitude": _column([p.elevation for p in points]),
        "heartrate": _column([p.hr_value for p in points]),
        "cadence": cadence,
        "power": _column([p.tpx_ext.get("Watts") for p in points]),
    }
    return channels


def _laps(laps: list[Any], start: float, streams: Streams) -> tuple[Lap, ...]:
    """Laps bounded by their first track points; distance as the device summed it."""
    firsts = [_first_time(lap) for lap in laps]
    timed = [(t - start, lap) for t, lap in zip(firsts, laps, strict=True) if t is not None]
    ends = [offset for offset, _ in timed[1:]] + [float(streams.time[-1])]
    result = []
    for (offset, lap), end in zip(timed, ends, strict=True):
        measured = summary.lap_from_streams(streams, offset, end)
        distance = float(lap.distance) if lap.distance else measured.distance_m
        result.append(Lap(start_s=offset, elapsed_s=measured.elapsed_s,
                          moving_s=measured.moving_s, distance_m=distance,
                          avg_hr=measured.avg_hr, max_hr=measured.max_hr,
                          ascent_m=measured.ascent_m))
    return tuple(result)


def _first_time(lap: Any) -> float | None:
    times = [p.time for p in lap.trackpoints if isinstance(p.time, datetime)]
    return _utc(min(times)).timestamp() if times else None


def _utc(moment: datetime) -> datetime:
    # tcxreader drops the "Z" of most TCX times; TCX times are UTC by the schema.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _column(values: list[Any]) -> FloatArray:
    return np.array([v if isinstance(v, int | float) else np.nan for v in values],
                    dtype=np.float64)
