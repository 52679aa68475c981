"""GPX tracks, read with gpxpy; heart rate and cadence from Garmin's extensions."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree.ElementTree import Element

import gpxpy
import gpxpy.gpx
import numpy as np

from analysis.model import Activity, FloatArray
from analysis.parsers import summary
from analysis.parsers.errors import ActivityFileError
from analysis.parsers.resample import fragments
from analysis.parsers.sports import sport_from_name

#: Sport of a track that does not say (most GPX files come from runners' apps).
DEFAULT_SPORT = "Run"
#: Extension element names (namespace stripped, lower case) per channel: Garmin's
#: TrackPointExtension v1/v2 (hr, cad), Cluetrust and Strava's own (heartrate,
#: cadence), and power as Strava and most bike computers write it.
EXTENSION_NAMES = {
    "heartrate": ("hr", "heartrate"),
    "cadence": ("cad", "cadence", "runcadence"),
    "power": ("power", "watts"),
}

_GPX_FAILURES = (gpxpy.gpx.GPXException, ValueError, TypeError, AttributeError)


def parse_gpx(data: bytes, name: str) -> Activity:
    """Read the tracks of a GPX file as one activity (no laps: GPX has none).

    Raises
    ------
    ActivityFileError
        When the XML is invalid or no track point carries a time.
    """
    gpx, points = _read(data, name)
    return _activity(gpx, points, name)


def parse_gpx_sessions(data: bytes, name: str) -> list[Activity]:
    """Read each session of a GPX file: its points split where SESSION_GAP_S passes
    without one (two outings saved in one file).

    Raises
    ------
    ActivityFileError
        As :func:`parse_gpx`.
    """
    gpx, points = _read(data, name)
    times = np.array([_utc(p.time).timestamp() for p in points if p.time is not None])
    _, offsets = summary.sample_offsets(name, times)
    kept = np.flatnonzero(np.isfinite(offsets))
    kept = kept[np.argsort(offsets[kept], kind="stable")]
    parts = fragments(offsets[kept], summary.SESSION_GAP_S)
    return [_activity(gpx, [points[i] for i in sorted(kept[part])], name) for part in parts]


def _read(data: bytes, name: str) -> tuple[gpxpy.gpx.GPX, list[gpxpy.gpx.GPXTrackPoint]]:
    try:
        gpx = gpxpy.parse(data)
    except _GPX_FAILURES as err:
        raise ActivityFileError(name, f"not a readable GPX file ({err})") from err
    points = [p for track in gpx.tracks for seg in track.segments for p in seg.points
              if p.time is not None]
    if not points:
        raise ActivityFileError(name, "GPX file has no track point with a time")
    return gpx, points


def _activity(gpx: gpxpy.gpx.GPX, points: list[gpxpy.gpx.GPXTrackPoint], name: str) -> Activity:
    sport = _sport(gpx)
    times = np.array([_utc(p.time).timestamp() for p in points if p.time is not None])
    start, offsets = summary.sample_offsets(name, times)
    channels = {key: _extension_column(points, names) for key, names in EXTENSION_NAMES.items()}
    channels["altitude"] = _column([p.elevation for p in points])
    channels["lat"] = _column([p.latitude for p in points])
    channels["lon"] = _column([p.longitude for p in points])
    streams = summary.streams_for(name, sport, offsets, channels)
    title = next((t.name for t in gpx.tracks if t.name), gpx.name or "")
    return summary.activity_from_streams(sport, datetime.fromtimestamp(start, UTC), streams,
                                         name=title)


def _sport(gpx: gpxpy.gpx.GPX) -> str:
    for track in gpx.tracks:
        sport = sport_from_name(track.type)
        if sport is not None:
            return sport
    return DEFAULT_SPORT


def _utc(moment: datetime) -> datetime:
    # GPX times are UTC by the schema; a file without a zone still means UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _column(values: list[float | None]) -> FloatArray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _extension_column(points: list[gpxpy.gpx.GPXTrackPoint], names: tuple[str, ...]) -> FloatArray:
    return _column([_extension_value(p.extensions, names) for p in points])


def _extension_value(extensions: list[Element], names: tuple[str, ...]) -> float | None:
    for root in extensions:
        for element in root.iter():
            if _local_name(element.tag) in names and element.text:
                try:
                    return float(element.text)
                except ValueError:
                    return None
    return None


def _local_name(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
