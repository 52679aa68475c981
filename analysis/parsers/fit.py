"""Garmin FIT activity files, decoded with fitdecode."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import fitdecode  # type: ignore[import-untyped]
import numpy as np

from analysis.model import Activity, Lap, Streams
from analysis.parsers import summary
from analysis.parsers.errors import ActivityFileError
from analysis.parsers.resample import fragments

#: FIT date_time values below this count seconds since the device powered on,
#: not since the FIT epoch (FIT SDK profile, type date_time).
RELATIVE_TIME_LIMIT = 0x10000000
#: Degrees per FIT semicircle (FIT SDK: 2^31 semicircles are 180 degrees).
DEGREES_PER_SEMICIRCLE = 180.0 / 2**31

#: FIT (sport, sub_sport) to Strava sport_type and trainer flag; a sub_sport of
#: None stands for any sub_sport the table does not name.
SPORTS: dict[tuple[str, str | None], tuple[str, bool]] = {
    ("running", "trail"): ("TrailRun", False),
    ("running", "treadmill"): ("Run", True),
    ("running", "indoor_running"): ("Run", True),
    ("running", "virtual_activity"): ("VirtualRun", True),
    ("running", None): ("Run", False),
    ("cycling", "indoor_cycling"): ("Ride", True),
    ("cycling", "virtual_activity"): ("VirtualRide", True),
    ("cycling", "mountain"): ("MountainBikeRide", False),
    ("cycling", "gravel_cycling"): ("GravelRide", False),
    ("cycling", None): ("Ride", False),
    ("e_biking", None): ("EBikeRide", False),
    ("walking", None): ("Walk", False),
    ("hiking", None): ("Hike", False),
    ("training", "cardio_training"): ("Workout", False),
    ("training", "yoga"): ("Yoga", False),
    ("training", None): ("WeightTraining", False),
    ("fitness_equipment", "strength_training"): ("WeightTraining", True),
    ("fitness_equipment", "elliptical"): ("Elliptical", True),
    ("fitness_equipment", "stair_climbing"): ("StairStepper", True),
    ("fitness_equipment", "indoor_rowing"): ("Rowing", True),
    ("swimming", None): ("Swim", False),
    ("rowing", None): ("Rowing", False),
    # Snow, water, wall and ice: FIT's sport and sub_sport names (Garmin's FIT profile) in
    # Strava's words, so such a session is named for what it was, not a "Workout".
    ("cross_country_skiing", None): ("NordicSki", False),
    ("cross_country_skiing", "skate_skiing"): ("NordicSki", False),
    ("alpine_skiing", None): ("AlpineSki", False),
    ("alpine_skiing", "backcountry"): ("BackcountrySki", False),
    ("alpine_skiing", "skate_skiing"): ("NordicSki", False),
    ("snowboarding", None): ("Snowboard", False),
    ("snowshoeing", None): ("Snowshoe", False),
    ("rock_climbing", None): ("RockClimbing", False),
    ("rock_climbing", "indoor_climbing"): ("RockClimbing", True),
    ("rock_climbing", "bouldering"): ("RockClimbing", False),
    ("paddling", None): ("Canoeing", False),
    ("kayaking", None): ("Kayaking", False),
    ("stand_up_paddleboarding", None): ("StandUpPaddling", False),
    ("inline_skating", None): ("InlineSkate", False),
    ("ice_skating", None): ("IceSkate", False),
    ("mountaineering", None): ("Hike", False),
}
#: Sport type of a file that names no sport the table knows.
DEFAULT_SPORT = ("Workout", False)
#: Sport type of a whole file whose sessions are different sports (a triathlon).
MULTISPORT = ("Multisport", False)
#: FIT's sport for the change-over between the legs of a multisport event.
TRANSITION = "transition"
#: Records are counted in a session up to this many seconds past its end: devices
#: write the last record a moment after the session's summed-up time.
SESSION_SLACK_S = 5.0

_T = TypeVar("_T")

#: Everything fitdecode or the bytes under it may raise on malformed input.
_DECODER_FAILURES = (fitdecode.FitError, struct.error, ValueError, KeyError, IndexError,
                     TypeError, AttributeError, OverflowError, UnicodeDecodeError)
#: Record fields read into streams, and where to find them (first present wins).
_RECORD_FIELDS = {
    "distance": ("distance",),
    "lat": ("position_lat",),
    "lon": ("position_long",),
    "altitude": ("enhanced_altitude", "altitude"),
    "heartrate": ("heart_rate",),
    "cadence": ("cadence",),
    "fraction": ("fractional_cadence",),
    "power": ("power",),
}


@dataclass
class _Messages:
    """The messages an activity is built from, as plain dicts of field values."""

    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    sport: dict[str, Any] = field(default_factory=dict)
    activity: dict[str, Any] = field(default_factory=dict)


def parse_fit(data: bytes, name: str) -> Activity:
    """Read a FIT activity file.

    Raises
    ------
    ActivityFileError
        When the file is not FIT, is damaged, or holds neither a session nor records.
    """
    messages = _read(data, name)
    if not messages.sessions and not messages.records:
        raise ActivityFileError(name, "FIT file holds neither a session summary nor records")
    return _activity(messages, name)


def parse_fit_sessions(data: bytes, name: str) -> list[Activity]:
    """Read each session of a FIT file (the legs of a triathlon, say) as an activity.

    Transitions between legs are left out unless they are all the file holds. A
    file of one session gives what :func:`parse_fit` gives, unless its records
    break for summary.SESSION_GAP_S or more (a watch left recording between two
    outings): then each stretch of records is a session, summed up from them.

    Raises
    ------
    ActivityFileError
        As :func:`parse_fit`.
    """
    messages = _read(data, name)
    if not messages.sessions and not messages.records:
        raise ActivityFileError(name, "FIT file holds neither a session summary nor records")
    offset = _clock_offset(messages, name)
    if len(messages.sessions) < 2:
        return [_activity(part, name) for part in _stretches(messages, offset)]
    timed = [s for s in _by_start(messages.sessions, offset) if s.get("sport") != TRANSITION]
    legs = timed or _by_start(messages.sessions, offset)
    if not legs:
        return [_activity(messages, name)]
    return [_activity(_session_messages(messages, leg, offset), name) for leg in legs]


def _stretches(messages: _Messages, offset: float) -> list[_Messages]:
    """The messages, or for records that break for a session gap, one set per stretch."""
    times = np.array([_seconds(r.get("timestamp"), offset) for r in messages.records],
                     dtype=np.float64)
    plausible = np.flatnonzero(summary.plausible_samples(times))
    parts = [p for p in fragments(times[plausible], summary.SESSION_GAP_S)
             if p.stop - p.start >= summary.GLITCH_SAMPLES]
    if len(parts) < 2 or np.any(np.diff(times[plausible]) < 0):
        return [messages]
    sport = messages.sessions[0] if messages.sessions else messages.sport
    result = []
    for part in parts:
        first, last = times[plausible[part.start]], times[plausible[part.stop - 1]]
        laps = [lap for lap in messages.laps
                if first - SESSION_SLACK_S <= (_seconds(lap.get("start_time"), offset) or 0.0)
                <= last]
        records = [messages.records[i] for i in plausible[part]]
        result.append(_Messages(sessions=[], laps=laps, records=records,
                                sport={k: sport[k] for k in ("sport", "sub_sport") if k in sport},
                                activity=messages.activity))
    return result


def _session_messages(messages: _Messages, session: dict[str, Any], offset: float) -> _Messages:
    """The session with the laps that start and the records that fall inside it."""
    start = _seconds(session["start_time"], offset) or 0.0
    end = start + (_number(session, "total_elapsed_time") or 0.0) + SESSION_SLACK_S

    def inside(values: dict[str, Any], key: str) -> bool:
        moment = _seconds(values.get(key), offset)
        return moment is not None and start <= moment <= end

    return _Messages(sessions=[session],
                     laps=[lap for lap in messages.laps if inside(lap, "start_time")],
                     records=[r for r in messages.records if inside(r, "timestamp")],
                     sport={}, activity=messages.activity)


def _activity(messages: _Messages, name: str) -> Activity:
    offset = _clock_offset(messages, name)
    sport, trainer = _sport(messages)
    start = _start(messages, offset, name)
    streams = _streams(messages.records, start, offset, sport, name)
    laps = tuple(_lap(lap, start, offset, streams) for lap in _by_start(messages.laps, offset))
    if not messages.sessions:
        if streams is None:
            raise ActivityFileError(name, "FIT records carry no timestamps and no session "
                                    "sums them up")
        return summary.activity_from_streams(sport, _utc(start), streams, laps, trainer=trainer)
    return _from_sessions(messages.sessions, sport, _utc(start), streams, laps, trainer)


def _read(data: bytes, name: str) -> _Messages:
    messages = _Messages()
    complete_files = 0
    try:
        for frame in _frames(data):
            if isinstance(frame, fitdecode.FitCRC):
                complete_files += 1
            elif isinstance(frame, fitdecode.FitDataMessage):
                _keep(messages, frame)
    except _DECODER_FAILURES as err:
        # A damaged file chained after a complete, CRC-checked one (the FIT SDK allows
        # concatenation) leaves the first file whole: read what that one holds.
        if not (complete_files and (messages.sessions or messages.records)):
            raise ActivityFileError(name, _reason(err, data)) from err
    return messages


class _Processor(fitdecode.DefaultDataProcessor):  # type: ignore[misc]
    """fitdecode's default processing (FIT times to datetimes, bools), asked only about the
    types it converts. The default looks up a method by name for the type, the field and the
    unit of every value decoded, though it has methods for four types and no field or unit:
    the look-ups were an eighth of the time a long file took to decode."""

    CONVERTED = frozenset({"bool", "date_time", "local_date_time", "localtime_into_day"})

    def on_process_type(self, reader: Any, field_data: Any) -> None:
        if field_data.type.name in self.CONVERTED:
            super().on_process_type(reader, field_data)

    def on_process_field(self, reader: Any, field_data: Any) -> None:
        """Nothing: the default converts no field by its name."""

    def on_process_unit(self, reader: Any, field_data: Any) -> None:
        """Nothing: the default converts no unit."""


def _frames(data: bytes) -> Iterator[Any]:
    reader = fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE,
                                 error_handling=fitdecode.ErrorHandling.IGNORE,
                                 processor=_Processor())
    with reader:
        yield from reader


def _keep(messages: _Messages, frame: Any) -> None:
    kind = frame.name
    if kind not in ("session", "lap", "record", "sport", "activity"):
        return
    values = {f.name: f.value for f in frame.fields if f.value is not None}
    if kind == "session":
        messages.sessions.append(values)
    elif kind == "lap":
        messages.laps.append(values)
    elif kind == "record":
        messages.records.append(values)
    elif kind == "sport":
        messages.sport = values
    else:
        messages.activity = values


def _reason(err: Exception, data: bytes) -> str:
    if isinstance(err, fitdecode.FitEOFError):
        return (f"FIT file is cut short: it ends in the middle of a record at byte {len(data)}"
                f"{_declared(data)}")
    if isinstance(err, fitdecode.FitHeaderError):
        if data[8:12] != b".FIT":
            return "not a FIT file (its header lacks the '.FIT' signature)"
        return f"FIT header is corrupt ({err})"
    if isinstance(err, fitdecode.FitCRCError):
        return f"FIT file fails its checksum, the data is corrupt ({err})"
    if isinstance(err, fitdecode.FitParseError):
        detail = str(err).split(": ", 1)[-1]
        return f"FIT data is corrupt at byte {err.offset} of {len(data)}: {detail}"
    return f"FIT data is corrupt ({type(err).__name__}: {err})"


def _declared(data: bytes) -> str:
    """What the header says the size should be (header, records, 2-byte CRC)."""
    if len(data) < 12:
        return ""
    header_size, records_size = data[0], int.from_bytes(data[4:8], "little")
    return f", its header declares {header_size + records_size + 2} bytes"


def _seconds(value: Any, offset: float) -> float | None:
    """Unix seconds of a FIT time: a datetime, or seconds since power-on."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float) and value < RELATIVE_TIME_LIMIT:
        return float(value) + offset
    return None


def _clock_offset(messages: _Messages, name: str) -> float:
    """Unix time of the device's power-on, for files whose clock was never set."""
    times = [s.get("start_time") for s in messages.sessions]
    times += [r.get("timestamp") for r in messages.records[:1]]
    if not any(isinstance(v, int) for v in times):
        return 0.0
    # The activity message pairs the power-on clock with the local wall clock; the
    # zone of that wall clock is unknown, so the start is local time read as UTC.
    local, relative = messages.activity.get("local_timestamp"), messages.activity.get("timestamp")
    if not isinstance(local, datetime) or not isinstance(relative, int):
        raise ActivityFileError(name, "FIT times count from power-on and no wall-clock "
                                "time anchors them (device clock was not set)")
    return local.timestamp() - relative


def _start(messages: _Messages, offset: float, name: str) -> float:
    """The session's start, else the first record's time: laps count from it."""
    sessions = [_seconds(s.get("start_time"), offset) for s in messages.sessions]
    starts = [t for t in sessions if t is not None]
    if starts:
        return min(starts)
    times = np.array([_seconds(r.get("timestamp"), offset) for r in messages.records],
                     dtype=np.float64)
    plausible = summary.plausible_samples(times)
    if not plausible.any():
        raise ActivityFileError(name, "FIT file gives no start time")
    return float(times[plausible][0])


def _sport(messages: _Messages) -> tuple[str, bool]:
    legs = {s.get("sport") for s in messages.sessions} - {TRANSITION, None}
    if len(legs) > 1:
        return MULTISPORT
    for source in (*messages.sessions, messages.sport, *messages.laps):
        sport = source.get("sport")
        if isinstance(sport, str):
            sub = source.get("sub_sport")
            return SPORTS.get((sport, sub), SPORTS.get((sport, None), DEFAULT_SPORT))
    return DEFAULT_SPORT


def _streams(records: list[dict[str, Any]], start: float, offset: float, sport: str,
             name: str) -> Streams | None:
    times = np.array([_seconds(r.get("timestamp"), offset) for r in records], dtype=np.float64)
    if not np.isfinite(times).any():
        return None
    times[~summary.plausible_samples(times)] = np.nan
    columns = {key: _column(records, names) for key, names in _RECORD_FIELDS.items()}
    fraction = columns.pop("fraction")
    for key in ("lat", "lon"):
        columns[key] = columns[key] * DEGREES_PER_SEMICIRCLE
    columns["cadence"] = columns["cadence"] + np.nan_to_num(fraction, nan=0.0)
    return summary.streams_for(name, sport, times - start, columns)


def _column(records: list[dict[str, Any]], names: tuple[str, ...]) -> Any:
    values = [next((r[n] for n in names if isinstance(r.get(n), int | float)), np.nan)
              for r in records]
    return np.array(values, dtype=np.float64)


def _by_start(laps: list[dict[str, Any]], offset: float) -> list[dict[str, Any]]:
    timed = [lap for lap in laps if _seconds(lap.get("start_time"), offset) is not None]
    return sorted(timed, key=lambda lap: _seconds(lap["start_time"], offset) or 0.0)


def _lap(lap: dict[str, Any], start: float, offset: float, streams: Streams | None) -> Lap:
    """A lap as the device summed it up, with the streams filling what it left out."""
    start_s = (_seconds(lap["start_time"], offset) or start) - start
    elapsed = _number(lap, "total_elapsed_time") or 0.0
    measured = (summary.lap_from_streams(streams, start_s, start_s + elapsed)
                if streams is not None else Lap(start_s, elapsed, 0.0, 0.0))
    return Lap(start_s=start_s, elapsed_s=elapsed,
               moving_s=_or(_number(lap, "total_moving_time", "total_timer_time"),
                            measured.moving_s),
               distance_m=_or(_number(lap, "total_distance"), measured.distance_m),
               avg_hr=_or(_number(lap, "avg_heart_rate"), measured.avg_hr),
               max_hr=_or(_number(lap, "max_heart_rate"), measured.max_hr),
               ascent_m=_or(_number(lap, "total_ascent"), measured.ascent_m))


def _from_sessions(sessions: list[dict[str, Any]], sport: str, start: datetime,
                   streams: Streams | None, laps: tuple[Lap, ...], trainer: bool) -> Activity:
    elapsed = sum(_number(s, "total_elapsed_time") or 0.0 for s in sessions)
    moving = sum(_number(s, "total_moving_time", "total_timer_time") or 0.0 for s in sessions)
    distance = sum(_number(s, "total_distance") or 0.0 for s in sessions)
    ascents = [_number(s, "total_ascent") for s in sessions]
    avg_hr, max_hr = _session_heart_rate(sessions)
    if streams is not None:
        elapsed = elapsed or float(streams.time[-1])
        moving = moving or summary.moving_time(streams)
        distance = distance or float(streams.distance[-1])
        if None in ascents:
            ascents = [summary.ascent(streams.altitude)]
        if avg_hr is None:
            avg_hr, max_hr = summary.heart_rate(streams)
    known_ascent = [a for a in ascents if a is not None]
    return Activity(sport=sport, start=start, elapsed_s=elapsed, moving_s=moving,
                    distance_m=distance, ascent_m=sum(known_ascent) if known_ascent else None,
                    avg_hr=avg_hr, max_hr=max_hr, laps=laps, streams=streams, trainer=trainer)


def _session_heart_rate(sessions: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    weighted = [(_number(s, "avg_heart_rate"), _number(s, "total_timer_time") or 1.0)
                for s in sessions]
    known = [(hr, w) for hr, w in weighted if hr is not None]
    maxima = [m for s in sessions if (m := _number(s, "max_heart_rate")) is not None]
    avg = sum(hr * w for hr, w in known) / sum(w for _, w in known) if known else None
    return avg, max(maxima) if maxima else None


def _number(values: dict[str, Any], *names: str) -> float | None:
    for key in names:
        value = values.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _or(value: float | None, fallback: _T) -> float | _T:
    return value if value is not None else fallback


def _utc(unix_seconds: float) -> datetime:
    return datetime.fromtimestamp(unix_seconds, UTC)
