"""What every parser shares: samples to streams, and totals measured on streams.

Formats that carry no summary (GPX), or an incomplete one, get their totals here,
so every parser reports the same quantities the same way.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from analysis.model import Activity, BoolArray, FloatArray, Lap, Streams
from analysis.parsers.errors import ActivityFileError
from analysis.parsers.resample import fragments, max_speed_for, plausible_times, resample_1hz
from analysis.parsers.sports import cadence_factor

#: Altitude is averaged over this many seconds before summing the climbs. Measured
#: on the FIT files of shared/data/runs: 31 s lands within 10 % of the device's
#: own total ascent on 6 of 7 files (1 s doubles it on GPS altitude, 61 s loses
#: a fifth on barometric altitude).
ASCENT_SMOOTH_S = 31
#: A break longer than this between laps or samples ends one session and starts
#: another: the longest pause inside one outing in shared/data/real is 17 min (a
#: stop mid-run), while separate outings in one file lie 100 min to days apart.
SESSION_GAP_S = 3600.0
#: Fewer samples than this, cut off from the rest by a session gap, are a clock
#: glitch rather than an outing: a one-minute outing at the sparsest smart
#: recording (one sample in 7 s) leaves more.
GLITCH_SAMPLES = 8


def sample_offsets(name: str, times: FloatArray) -> tuple[float, FloatArray]:
    """The start (the first sample whose time agrees with its neighbours) and every
    sample's offset from it, NaN for samples a clock glitch put hours or days away
    (see :func:`plausible_samples`).

    Raises
    ------
    ActivityFileError
        When no sample has a usable time.
    """
    plausible = plausible_samples(times)
    if not plausible.any():
        raise ActivityFileError(name, "no sample has a usable time")
    start = float(times[plausible].min())
    return start, np.where(plausible, times - start, np.nan)


def plausible_samples(times: FloatArray) -> BoolArray:
    """Samples whose time is believable: in order with their neighbours, and not a
    few cut off from the rest by a session gap (a clock that jumped and stayed)."""
    plausible = plausible_times(times)
    order = np.flatnonzero(plausible)[np.argsort(times[plausible], kind="stable")]
    parts = fragments(times[order], SESSION_GAP_S)
    if any(part.stop - part.start >= GLITCH_SAMPLES for part in parts):
        for part in parts:
            if part.stop - part.start < GLITCH_SAMPLES:
                plausible[order[part]] = False
    return plausible


def streams_for(name: str, sport: str, t: FloatArray,
                channels: dict[str, FloatArray]) -> Streams:
    """Resample a file's samples (cadence per foot, as files count it) for its sport.

    Raises
    ------
    ActivityFileError
        When the samples cannot make streams (no usable time, an endless span).
    """
    present = {k: v for k, v in channels.items() if np.isfinite(v).any()}
    if "cadence" in present:
        present["cadence"] = present["cadence"] * cadence_factor(sport)
    try:
        return resample_1hz(t, max_speed=max_speed_for(sport), **present)
    except ValueError as err:
        raise ActivityFileError(name, f"samples cannot be used: {err}") from err


def moving_time(streams: Streams, start_s: float = 0.0, end_s: float | None = None) -> float:
    """Seconds spent moving in ``[start_s, end_s)`` (by default up to the last sample)."""
    end = float(streams.time[-1]) if end_s is None else end_s
    return float(np.count_nonzero(streams.moving[_span(streams, start_s, end)]))


def distance_between(streams: Streams, start_s: float, end_s: float) -> float:
    """Metres covered in ``[start_s, end_s]``."""
    d = streams.distance
    first, last = _index(streams, start_s), _index(streams, end_s)
    return float(d[last] - d[first])


def ascent(altitude: FloatArray | None) -> float | None:
    """Total climb in metres of a 1 Hz altitude series (None without altitude)."""
    if altitude is None:
        return None
    known = np.isfinite(altitude)
    if np.count_nonzero(known) < 2:
        return None
    index = np.arange(altitude.size, dtype=np.float64)
    filled = np.interp(index, index[known], altitude[known])
    half = ASCENT_SMOOTH_S // 2
    padded = np.pad(filled, (half, half), mode="edge")
    smooth = np.convolve(padded, np.full(ASCENT_SMOOTH_S, 1.0 / ASCENT_SMOOTH_S), "valid")
    return float(np.clip(np.diff(smooth), 0.0, None).sum())


def heart_rate(streams: Streams, start_s: float = 0.0,
               end_s: float = np.inf) -> tuple[float | None, float | None]:
    """Mean and maximum heart rate over ``[start_s, end_s)``, None where unknown."""
    if streams.heartrate is None:
        return None, None
    hr = streams.heartrate[_span(streams, start_s, end_s)]
    hr = hr[np.isfinite(hr)]
    if hr.size == 0:
        return None, None
    return float(hr.mean()), float(hr.max())


def lap_from_streams(streams: Streams, start_s: float, end_s: float) -> Lap:
    """A lap measured on the streams between two offsets from the start."""
    avg_hr, max_hr = heart_rate(streams, start_s, end_s)
    span = _span(streams, start_s, end_s)
    climb = None if streams.altitude is None else ascent(streams.altitude[span])
    return Lap(start_s=start_s, elapsed_s=end_s - start_s,
               moving_s=moving_time(streams, start_s, end_s),
               distance_m=distance_between(streams, start_s, end_s),
               avg_hr=avg_hr, max_hr=max_hr, ascent_m=climb)


def activity_from_streams(sport: str, start: datetime, streams: Streams,
                          laps: tuple[Lap, ...] = (), name: str = "",
                          trainer: bool = False) -> Activity:
    """An activity whose every total comes from its streams."""
    avg_hr, max_hr = heart_rate(streams)
    return Activity(sport=sport, start=start, elapsed_s=float(streams.time[-1]),
                    moving_s=moving_time(streams),
                    distance_m=float(streams.distance[-1] - streams.distance[0]),
                    ascent_m=ascent(streams.altitude), avg_hr=avg_hr, max_hr=max_hr,
                    laps=laps, streams=streams, name=name, trainer=trainer)


def _index(streams: Streams, offset_s: float) -> int:
    return int(np.clip(np.floor(offset_s), 0, len(streams) - 1))


def _span(streams: Streams, start_s: float, end_s: float) -> slice:
    n = len(streams)
    first = int(np.clip(np.ceil(start_s), 0, n))
    last = int(np.clip(np.ceil(end_s), first, n)) if np.isfinite(end_s) else n
    return slice(first, last)
