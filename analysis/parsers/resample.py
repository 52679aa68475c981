"""Raw device samples to the 1 Hz streams every analysis works on.

Devices record every 1-7 s ("smart recording"), repeat timestamps, stop while
auto-paused, lose GPS and heart-rate contact and jump position. Everything here
is vectorised numpy: a 48 h recording is 172,800 samples and must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.efforts import runs_of
from analysis.model import BoolArray, FloatArray, Streams
from analysis.parsers.sports import ON_FOOT

IntArray = NDArray[np.intp]

#: A step between samples longer than this is a candidate pause. Measured on
#: shared/data/history (phone recordings): 99 % of steps are 13 s or less, and
#: steps of 15 s or more are crossed at a median 0.6 m/s or less (standing).
PAUSE_GAP_S = 10.0
#: The longest step still bridged when the athlete kept moving across it (sparse
#: phone recording); beyond this nobody knows what happened in between.
BRIDGE_GAP_S = 60.0
#: A sensor (heart rate, cadence, altitude, power) silent for longer than this is
#: missing rather than interpolated: heart rate answers a change of effort within
#: 15-30 s, so a longer bridge would invent the response.
SENSOR_GAP_S = 15.0
#: Below this speed the athlete stands still: well under comfortable walking speed
#: (1.27-1.46 m/s across adult ages, Bohannon 1997). With it, moving time on the
#: FIT runs of shared/data lands within 5 % of the device's timer time.
MOVING_SPEED_MPS = 0.8
#: Speed is smoothed over this many seconds (centred): long enough to absorb GPS
#: jitter, short enough to keep a 10 s sprint visible.
SPEED_WINDOW_S = 5
#: Grade is measured over this much distance (centred), a smoothed grade like
#: Strava's grade_smooth: resolves a 200 m hill repeat, and holds a 1 m barometer
#: step to 1 %.
GRADE_WINDOW_M = 100.0
#: Heart rates outside this range are sensor errors: even elite endurance athletes
#: rest above 30 bpm, and maximal heart rates stay below 230 bpm.
HR_MIN_BPM = 30.0
HR_MAX_BPM = 230.0
#: A device that writes its distance every few seconds repeats the last value at each sample
#: in between: held for at most HELD_MAX_S, such repeats are no standstill, and where they are
#: at least HELD_SHARE of the samples the distance is interpolated in time across them. Read at
#: 1 Hz as written, its 11-12 m steps every 3-5 s are 12 m/s for a second, a vehicle's speed
#: (tests/data/blind-2026-12za: a Suunto 9's 28.6 km read as 6.4 km with the rest cut as
#: vehicle stretches). A standstill holds longer, and a device writing every second repeats
#: itself only there.
HELD_MAX_S = 8.0
HELD_SHARE = 0.3
#: Fastest plausible speed on foot: Usain Bolt's peak in 2009 was 12.4 m/s.
RUN_MAX_SPEED_MPS = 12.5
#: Fastest plausible human-powered speed outside record attempts: 140 km/h, above
#: the fastest road-cycling descents (about 130 km/h); anything faster is a GPS jump.
MAX_SPEED_MPS = 39.0
#: Longest recording accepted: a week, beyond any ultra-distance event; keeps a
#: wrong timestamp from allocating years of 1 Hz samples.
MAX_SPAN_S = 7 * 86400.0
#: A sample whose time lies further than this from the median time of the
#: TIME_WINDOW samples around it is a clock glitch (a jump of hours or days that
#: comes back): in order, a sample's time is its neighbourhood's median, so only
#: out-of-order samples can differ; a minute leaves smaller jitter to the ordering rule.
TIME_OUTLIER_S = 60.0
#: Samples in the neighbourhood that judges a sample's time: up to four glitched
#: samples in a row are outvoted by the five good ones around them.
TIME_WINDOW = 9
#: Mean Earth radius (IUGG), for haversine distances.
EARTH_RADIUS_M = 6371008.8


def haversine_steps(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Great-circle distance in metres between consecutive points (length n-1)."""
    phi, lam = np.radians(lat), np.radians(lon)
    h = np.sin(np.diff(phi) / 2) ** 2 + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(
        np.diff(lam) / 2
    ) ** 2
    steps: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return steps


def plausible_times(t: FloatArray) -> BoolArray:
    """Samples whose time agrees with the samples around it.

    A device whose clock jumps (days ahead, or back to 1989) for a sample or a few and
    then returns would otherwise stretch a run over days or drop everything after the
    jump; this tells which samples to drop instead: those out of order with a
    neighbour and far from the median time around them. Samples in order are kept
    (a jump that does not come back is a gap, see :func:`fragments`); samples
    without a time are not.
    """
    t = np.asarray(t, dtype=np.float64)
    finite = np.flatnonzero(np.isfinite(t))
    keep = np.zeros(t.shape, dtype=np.bool_)
    keep[finite] = True
    if finite.size < 3:
        return keep
    known = t[finite]
    half = min(TIME_WINDOW // 2, known.size - 1)
    padded = np.pad(known, half, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    far = np.abs(known - np.median(windows, axis=1)) > TIME_OUTLIER_S
    step = np.diff(known)
    disordered = np.concatenate(([False], step < 0)) | np.concatenate((step < 0, [False]))
    keep[finite[far & disordered]] = False
    return keep


def fragments(t: FloatArray, gap_s: float) -> list[slice]:
    """Runs of samples (times in order) separated by more than ``gap_s`` seconds."""
    breaks = np.flatnonzero(np.diff(t) > gap_s) + 1
    bounds = [0, *breaks.tolist(), t.size]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def resample_1hz(
    t: FloatArray,
    *,
    distance: FloatArray | None = None,
    lat: FloatArray | None = None,
    lon: FloatArray | None = None,
    heartrate: FloatArray | None = None,
    altitude: FloatArray | None = None,
    cadence: FloatArray | None = None,
    power: FloatArray | None = None,
    max_speed: float = MAX_SPEED_MPS,
) -> Streams:
    """Resample raw samples onto whole seconds since the activity's start.

    Parameters
    ----------
    t:
        Sample times in seconds since the activity's start. Samples with a NaN or
        negative time, a time far from their neighbours' (:func:`plausible_times`),
        or earlier than a sample before them, are dropped; of samples sharing a
        time the last is kept.
    distance:
        Cumulative distance in metres as the device measured it. Without it the
        distance is the haversine length of ``lat``/``lon`` (degrees).
    heartrate, altitude, cadence, power:
        Optional channels, NaN where a sample lacks the value.
    max_speed:
        Faster steps are GPS jumps: their distance is capped at this speed.

    Returns
    -------
    Streams on ``0, 1, ..., floor(last time)`` seconds.

    Raises
    ------
    ValueError
        When arrays differ in length, no sample has a usable time, or the
        recording spans more than :data:`MAX_SPAN_S`.
    """
    t = np.asarray(t, dtype=np.float64)
    channels = {"distance": distance, "lat": lat, "lon": lon, "heartrate": heartrate,
                "altitude": altitude, "cadence": cadence, "power": power}
    arrays = {k: _checked(k, v, t.shape[0]) for k, v in channels.items() if v is not None}
    keep = _usable_samples(t)
    t = t[keep]
    arrays = {k: v[keep] for k, v in arrays.items()}
    if t.size == 0:
        raise ValueError("no sample has a usable time")
    if t[-1] > MAX_SPAN_S:
        raise ValueError(f"samples span {t[-1] / 86400:.1f} days")

    grid = np.arange(int(t[-1]) + 1, dtype=np.float64)
    if "distance" in arrays:
        arrays["distance"] = _unheld(t, arrays["distance"])
    cumulative = _cumulative_distance(t, arrays, max_speed)
    pause_step = _pause_steps(t, cumulative)
    line = _timeline(grid, t, pause_step)
    # Interpolating a never-decreasing series can still step back by rounding (distances of a
    # few ulps apart); the running maximum removes that without moving any real sample.
    dist = np.maximum.accumulate(np.interp(grid, t, _hold_across(pause_step, cumulative)))
    speed = np.minimum(_centred_speed(dist), max_speed)
    speed[line.in_pause] = 0.0

    heart = _channel(line, _valid_range(arrays.get("heartrate"), HR_MIN_BPM, HR_MAX_BPM))
    alt = _channel(line, arrays.get("altitude"))
    cad = _channel(line, _valid_range(arrays.get("cadence"), 0.0, np.inf))
    watts = _channel(line, _valid_range(arrays.get("power"), 0.0, np.inf))
    moving = _moving(speed, cad, line.in_pause)
    return Streams(time=grid, distance=dist, speed=speed, moving=moving, heartrate=heart,
                   altitude=alt, grade=_grade(dist, alt), cadence=cad, power=watts)


def _checked(name: str, values: FloatArray, n: int) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n,):
        raise ValueError(f"{name} has shape {array.shape}, time has {n} samples")
    return array


def _usable_samples(t: FloatArray) -> BoolArray:
    """Plausible, non-negative, not earlier than any sample before, last of equal times."""
    finite = plausible_times(t) & (t >= 0)
    clean = np.where(finite, t, -np.inf)
    in_order = finite & (clean >= np.maximum.accumulate(clean))
    ordered = clean[in_order]
    last_of_equal = np.diff(ordered, append=np.inf) > 0
    keep = np.zeros(t.shape, dtype=np.bool_)
    keep[np.flatnonzero(in_order)[last_of_equal]] = True
    return keep


def _unheld(t: FloatArray, distance: FloatArray) -> FloatArray:
    """The device's distance without the repeats of a value written every few seconds (NaN,
    to be interpolated in time), where such repeats are HELD_SHARE of the samples or more."""
    finite = np.isfinite(distance)
    same = np.zeros(distance.size, dtype=bool)
    same[1:] = finite[1:] & finite[:-1] & (distance[1:] == distance[:-1])
    # repeats [start, end) of the value of sample start - 1, held for at most HELD_MAX_S
    held = [(a, b) for a, b in runs_of(same) if t[b - 1] - t[a - 1] <= HELD_MAX_S]
    if sum(b - a for a, b in held) < HELD_SHARE * distance.size:
        return distance
    out = distance.copy()
    for start, end in held:
        out[start:end] = np.nan
    return out


def _cumulative_distance(t: FloatArray, arrays: dict[str, FloatArray],
                         max_speed: float) -> FloatArray:
    """Cumulative distance per sample, never decreasing, never faster than max_speed."""
    start = 0.0
    device = arrays.get("distance")
    if device is not None and np.isfinite(device).any():
        ok = np.isfinite(device)
        filled = np.interp(t, t[ok], device[ok])
        start = max(float(filled[0]), 0.0)
        steps = np.diff(filled)
    elif "lat" in arrays and "lon" in arrays:
        steps = np.diff(_track_length(t, arrays["lat"], arrays["lon"]))
    else:
        steps = np.zeros(t.size - 1)
    steps = np.clip(steps, 0.0, max_speed * np.diff(t))
    return start + np.concatenate(([0.0], np.cumsum(steps)))


def _track_length(t: FloatArray, lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Cumulative haversine length at each sample; samples without a fix interpolated."""
    fixed = np.isfinite(lat) & np.isfinite(lon)
    if np.count_nonzero(fixed) < 2:
        return np.zeros(t.size)
    along = np.concatenate(([0.0], np.cumsum(haversine_steps(lat[fixed], lon[fixed]))))
    length: FloatArray = np.interp(t, t[fixed], along)
    return length


def _pause_steps(t: FloatArray, cumulative: FloatArray) -> BoolArray:
    """Steps that are pauses: long, and either very long or crossed slowly."""
    dt = np.diff(t)
    crossed = np.diff(cumulative) / np.where(dt > 0, dt, 1.0)
    pause: BoolArray = (dt > PAUSE_GAP_S) & ((dt > BRIDGE_GAP_S) | (crossed < MOVING_SPEED_MPS))
    return pause


def _hold_across(pause_step: BoolArray, cumulative: FloatArray) -> FloatArray:
    """Distance does not grow during a pause: drop what the pause steps covered."""
    steps = np.where(pause_step, 0.0, np.diff(cumulative))
    held: FloatArray = cumulative[0] + np.concatenate(([0.0], np.cumsum(steps)))
    return held


@dataclass(frozen=True)
class _Timeline:
    """The output seconds, the samples, and which sample step each second falls in."""

    grid: FloatArray
    t: FloatArray
    step: IntArray  # index of the last sample at or before each second (-1: none)
    in_pause: BoolArray  # inside a pause step, or before the first sample


def _timeline(grid: FloatArray, t: FloatArray, pause_step: BoolArray) -> _Timeline:
    step = np.searchsorted(t, grid, side="right") - 1
    inside = (step >= 0) & (step < pause_step.size)
    in_pause = step < 0
    in_pause[inside] = pause_step[step[inside]]
    return _Timeline(grid, t, step, in_pause)


def _centred_speed(dist: FloatArray) -> FloatArray:
    """Mean speed over a centred window of SPEED_WINDOW_S seconds (shorter at the ends)."""
    n = dist.size
    half = SPEED_WINDOW_S // 2
    index = np.arange(n)
    hi, lo = np.minimum(index + half, n - 1), np.maximum(index - half, 0)
    span = (hi - lo).astype(np.float64)
    speed: FloatArray = np.divide(dist[hi] - dist[lo], span, out=np.zeros(n), where=span > 0)
    return speed


def _valid_range(values: FloatArray | None, low: float, high: float) -> FloatArray | None:
    if values is None:
        return None
    inside = (values >= low) & (values <= high)
    cleaned: FloatArray = np.where(inside, values, np.nan)
    return cleaned


def _channel(line: _Timeline, values: FloatArray | None) -> FloatArray | None:
    """Linear interpolation of one sensor, NaN where it was silent or paused."""
    if values is None:
        return None
    ok = np.isfinite(values)
    if not ok.any():
        return None
    grid, tv, vv = line.grid, line.t[ok], values[ok]
    # A sensor present in every sample shares the timeline's lookup.
    step = line.step if ok.all() else np.searchsorted(tv, grid, side="right") - 1
    before = np.maximum(step, 0)
    after = np.minimum(np.where(tv[before] == grid, before, before + 1), tv.size - 1)
    silent = (grid < tv[0]) | (grid > tv[-1]) | (tv[after] - tv[before] > SENSOR_GAP_S)
    out: FloatArray = np.interp(grid, tv, vv)
    out[silent | line.in_pause] = np.nan
    return out


def _moving(speed: FloatArray, cadence: FloatArray | None, in_pause: BoolArray) -> BoolArray:
    """Moving when faster than a stand-still, or when feet or pedals turn."""
    moving = speed > MOVING_SPEED_MPS
    if cadence is not None:
        moving |= np.nan_to_num(cadence, nan=0.0) > 0
    result: BoolArray = moving & ~in_pause
    return result


def _grade(dist: FloatArray, altitude: FloatArray | None) -> FloatArray | None:
    """Percent grade over GRADE_WINDOW_M of distance; NaN where unmeasurable."""
    if altitude is None:
        return None
    known = np.isfinite(altitude)
    if not known.any():
        return np.full(dist.size, np.nan)
    index = np.arange(dist.size, dtype=np.float64)
    alt = np.interp(index, index[known], altitude[known])
    half = GRADE_WINDOW_M / 2
    lo = np.searchsorted(dist, dist - half, side="left")
    hi = np.searchsorted(dist, dist + half, side="right") - 1
    run = dist[hi] - dist[lo]
    grade: FloatArray = np.full(dist.size, np.nan)
    measurable = known & (run >= half)
    grade[measurable] = 100.0 * (alt[hi] - alt[lo])[measurable] / run[measurable]
    return grade


def max_speed_for(sport: str) -> float:
    """The GPS-jump cap for a Strava sport type: tighter on foot."""
    return RUN_MAX_SPEED_MPS if sport in ON_FOOT else MAX_SPEED_MPS
