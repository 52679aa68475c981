"""Garmin Training Center (TCX) files, read with the standard library's XML parser.

A TCX file holds activities, each a sport and its laps; a lap sums itself up (start,
timer time, distance, heart rate) and may carry track points. Every lap is read,
with or without points, so a file of lap summaries alone is still an activity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from xml.etree import ElementTree

import numpy as np

from analysis.model import Activity, FloatArray, Lap, Streams
from analysis.parsers import summary
from analysis.parsers.errors import ActivityFileError
from analysis.parsers.resample import HR_MAX_BPM, HR_MIN_BPM, MAX_SPAN_S
from analysis.parsers.sports import sport_from_name

#: Sport of an activity whose Sport attribute names nothing we know ("Other").
DEFAULT_SPORT = "Workout"
#: Track point fields (local element names, namespaces dropped) per channel; the
#: first present wins: Garmin's TPX extension puts run cadence and watts there.
POINT_FIELDS = {
    "distance": ("DistanceMeters",),
    "lat": ("LatitudeDegrees",),
    "lon": ("LongitudeDegrees",),
    "altitude": ("AltitudeMeters",),
    "heartrate": ("HeartRateBpm",),
    "cadence": ("RunCadence", "Cadence"),
    "power": ("Watts",),
}
#: A lap's own distance is the device's sum and beats one over possibly sparse track points,
#: unless the device's distance in its points contradicts it: off by more than half of theirs
#: and by more than 200 m (a lap of 17 m over 54 minutes and 10 km of points is a slip, not a
#: standstill). Points with positions alone measure less than was run where they are sparse
#: (tests/data/heldout: laps of 300 m over three points), so they never overrule a lap.
LAP_DISTANCE_SLACK = 0.5
LAP_DISTANCE_SLACK_M = 200.0


@dataclass(frozen=True)
class _Lap:
    """One <Lap>: the device's summary and its track points as columns."""

    start: float | None  # Unix seconds of StartTime
    timer_s: float | None
    distance_m: float | None
    avg_hr: float | None
    max_hr: float | None
    times: FloatArray  # Unix seconds per point, NaN without a time
    columns: dict[str, FloatArray]

    @property
    def first(self) -> float | None:
        timed = self.times[np.isfinite(self.times)]
        return float(timed.min()) if timed.size else self.start

    @property
    def end(self) -> float | None:
        timed = self.times[np.isfinite(self.times)]
        if timed.size:
            return float(timed.max())
        return None if self.start is None else self.start + (self.timer_s or 0.0)


@dataclass(frozen=True)
class _Session:
    sport: str
    laps: tuple[_Lap, ...]


def parse_tcx(data: bytes, name: str) -> Activity:
    """Read a whole TCX file as one activity: every lap of every activity in it.

    Raises
    ------
    ActivityFileError
        When the XML is invalid or neither a track point nor a lap carries a time.
    """
    sessions = _read(data, name)
    laps = tuple(lap for session in sessions for lap in session.laps)
    return _activity(name, sessions[0].sport, laps)


def parse_tcx_sessions(data: bytes, name: str) -> list[Activity]:
    """Read each session of a TCX file: each <Activity>, split where laps lie far apart.

    Raises
    ------
    ActivityFileError
        As :func:`parse_tcx`.
    """
    return [_activity(name, s.sport, s.laps) for s in _split(_read(data, name))]


def _read(data: bytes, name: str) -> list[_Session]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as err:
        raise ActivityFileError(name, f"not a readable TCX file ({err})") from err
    if _local(root.tag) != "TrainingCenterDatabase":
        raise ActivityFileError(name, "not a readable TCX file (no TrainingCenterDatabase)")
    sessions = []
    for activity in root.iter():
        if _local(activity.tag) != "Activity":
            continue
        sport = sport_from_name(activity.get("Sport")) or DEFAULT_SPORT
        laps = tuple(_lap(node) for node in activity if _local(node.tag) == "Lap")
        timed = tuple(lap for lap in laps if lap.first is not None)
        if timed:
            sessions.append(_Session(sport, timed))
    if not sessions:
        raise ActivityFileError(name, "TCX file has no track point and no lap with a time")
    return sessions


def _split(sessions: list[_Session]) -> list[_Session]:
    """Sessions as recorded: a break of SESSION_GAP_S between laps starts another."""
    result = []
    for session in sessions:
        group = [session.laps[0]]
        for lap in session.laps[1:]:
            if (lap.first or 0.0) - (group[-1].end or 0.0) > summary.SESSION_GAP_S:
                result.append(_Session(session.sport, tuple(group)))
                group = []
            group.append(lap)
        result.append(_Session(session.sport, tuple(group)))
    return result


def _lap(node: ElementTree.Element) -> _Lap:
    points = [p for p in node.iter() if _local(p.tag) == "Trackpoint"]
    columns = {key: np.array([_point_value(p, names) for p in points], dtype=np.float64)
               for key, names in POINT_FIELDS.items()}
    times = np.array([_time(_text(p, "Time")) for p in points], dtype=np.float64)
    start = _time(node.get("StartTime"))
    timer = _float(_text(node, "TotalTimeSeconds"))
    return _Lap(start=None if math.isnan(start) else start,
                timer_s=timer if timer is not None and 0 <= timer <= MAX_SPAN_S else None,
                distance_m=_float(_text(node, "DistanceMeters")),
                avg_hr=_heart_rate(_text(node, "AverageHeartRateBpm")),
                max_hr=_heart_rate(_text(node, "MaximumHeartRateBpm")), times=times,
                columns=columns)


def _activity(name: str, sport: str, laps: tuple[_Lap, ...]) -> Activity:
    times = np.concatenate([lap.times for lap in laps])
    if np.count_nonzero(np.isfinite(times)) < 2:
        return _from_laps(name, sport, laps)
    start, offsets = summary.sample_offsets(name, times)
    channels = {key: np.concatenate([lap.columns[key] for lap in laps]) for key in POINT_FIELDS}
    streams = summary.streams_for(name, sport, offsets, channels)
    stream_laps, untimed_m = _stream_laps(laps, start, streams)
    activity = summary.activity_from_streams(sport, _utc(start), streams, stream_laps)
    if any(lap.distance_m for lap in laps):
        # The laps' distances (see _lap_distance), and those of laps without points.
        return replace(activity,
                       distance_m=sum(lap.distance_m for lap in stream_laps) + untimed_m)
    return activity


def _stream_laps(laps: tuple[_Lap, ...], start: float,
                 streams: Streams) -> tuple[tuple[Lap, ...], float]:
    """Laps bounded by their first track points, distance as the device summed it (see
    _lap_distance); and the distance the laps without a point inside the streams recorded."""
    timed = [(first - start, lap) for lap in laps
             if (first := _first_plausible(lap, start, streams)) is not None]
    inside = {id(lap) for _, lap in timed}
    untimed_m = sum(lap.distance_m or 0.0 for lap in laps if id(lap) not in inside)
    ends = [offset for offset, _ in timed[1:]] + [float(streams.time[-1])]
    result = []
    for (offset, lap), end in zip(timed, ends, strict=True):
        measured = summary.lap_from_streams(streams, offset, end)
        result.append(replace(measured, distance_m=_lap_distance(lap, measured.distance_m),
                              avg_hr=_either(measured.avg_hr, lap.avg_hr),
                              max_hr=_either(measured.max_hr, lap.max_hr)))
    return tuple(result), untimed_m


def _lap_distance(lap: _Lap, measured: float) -> float:
    """The lap's own distance, or its points' where they contradict it (LAP_DISTANCE_SLACK)."""
    recorded = lap.distance_m
    if not recorded:
        return measured
    slack = max(LAP_DISTANCE_SLACK * measured, LAP_DISTANCE_SLACK_M)
    device = bool(np.isfinite(lap.columns["distance"]).any())
    return measured if device and abs(recorded - measured) > slack else recorded


def _first_plausible(lap: _Lap, start: float, streams: Streams) -> float | None:
    """The lap's first point inside the streams (a glitched time is no start)."""
    inside = lap.times[(lap.times >= start) & (lap.times <= start + float(streams.time[-1]))]
    return float(inside.min()) if inside.size else None


def _from_laps(name: str, sport: str, laps: tuple[_Lap, ...]) -> Activity:
    """An activity from lap summaries alone: a file exported without its track.

    Raises
    ------
    ActivityFileError
        When the laps span more than a week (a lap's start time is wrong).
    """
    start = min(lap.first or 0.0 for lap in laps)
    span = max((lap.first or start) + (lap.timer_s or 0.0) for lap in laps) - start
    if span > MAX_SPAN_S:
        raise ActivityFileError(name, f"TCX laps span {span / 86400:.1f} days")
    summed = tuple(Lap(start_s=(lap.first or start) - start, elapsed_s=lap.timer_s or 0.0,
                       moving_s=lap.timer_s or 0.0, distance_m=lap.distance_m or 0.0,
                       avg_hr=lap.avg_hr, max_hr=lap.max_hr) for lap in laps)
    with_hr = [(lap.avg_hr, lap.moving_s) for lap in summed if lap.avg_hr is not None]
    weight = sum(seconds for _, seconds in with_hr)
    maxima = [lap.max_hr for lap in summed if lap.max_hr is not None]
    return Activity(sport=sport, start=_utc(start),
                    elapsed_s=max(lap.start_s + lap.elapsed_s for lap in summed),
                    moving_s=sum(lap.moving_s for lap in summed),
                    distance_m=sum(lap.distance_m for lap in summed), ascent_m=None,
                    avg_hr=sum(hr * s for hr, s in with_hr) / weight if weight else None,
                    max_hr=max(maxima) if maxima else None, laps=summed)


def _point_value(point: ElementTree.Element, names: tuple[str, ...]) -> float:
    for wanted in names:
        value = _float(_text(point, wanted))
        if value is not None:
            return value
    return math.nan


def _text(node: ElementTree.Element, local_name: str) -> str | None:
    """Text of the first descendant so named, or of its <Value> (heart rate)."""
    for element in node.iter():
        if element is not node and _local(element.tag) == local_name:
            text = (element.text or "").strip()
            if not text:
                text = next((v.text or "" for v in element if _local(v.tag) == "Value"), "")
            return text.strip() or None
    return None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _heart_rate(text: str | None) -> float | None:
    """A lap's heart rate, None when no heart beats so (255 marks a missing strap)."""
    value = _float(text)
    return value if value is not None and HR_MIN_BPM <= value <= HR_MAX_BPM else None


def _time(text: str | None) -> float:
    """Unix seconds of a TCX time (UTC by the schema when it names no zone), else NaN."""
    if not text:
        return math.nan
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return math.nan
    return _utc_moment(moment).timestamp()


def _utc_moment(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _utc(unix_seconds: float) -> datetime:
    return datetime.fromtimestamp(unix_seconds, UTC)


def _either(measured: float | None, recorded: float | None) -> float | None:
    return measured if measured is not None else recorded


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
