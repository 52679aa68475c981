"""The features the classifier reads, from 1 Hz streams or from laps: effort bouts,
hill repeats, sustained heart rate, kilometre splits.

A stream is turned into grade-adjusted speed (a climb at 4:30/km effort counts as
4:30/km) and smoothed against GPS jitter before :mod:`analysis.efforts` looks for bouts
in it; laps are read the same way, one lap standing for many samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from analysis import claims, climbs, plausibility
from analysis.efforts import (
    BOUT_ENTRY,
    RUN_MIN_SPEED,
    STANDING_REST_S,
    Efforts,
    close_gaps,
    find_efforts,
    lap_efforts,
    runs_of,
)
from analysis.model import Activity, BoolArray, FloatArray, Lap, Streams
from analysis.profile import AthleteProfile

#: Moving-average window for speed, in samples (s): GPS speed at 1 Hz jitters by
#: 0.2-0.3 m/s; 9 s keeps a 15 s stride visible while averaging most of it away.
SPEED_SMOOTH_S = 9
#: Moving-average window for heart rate in s: HR answers an effort within 30-60 s, so
#: shorter wiggles are strap noise.
HR_SMOOTH_S = 30
#: Speeds above this in m/s are GPS spikes, not running (faster than a 100 m sprint).
MAX_SPEED = 10.5
#: Tempo heart rate: 85-92 % of HRmax (Daniels' T zone; Garmin's threshold zone 4).
TEMPO_HR_FRAC = 0.85
#: Dips below tempo heart rate shorter than this (s) do not break a sustained block.
HR_MERGE_GAP_S = 60
#: Laps within this share of one length were cut by distance (GPS auto-laps land within
#: a few metres of the mark).
EVEN_LAP_TOLERANCE = 0.03
#: A lap stood still inside when its elapsed time exceeds its moving time by this long (s)
#: and share: a rest between repeats taken inside the repeat's lap (the lap pressed at the
#: next start), not a crossing or a drink.
LAP_STOP_S = 30.0
LAP_STOP_SHARE = 0.2
#: Laps hide the recoveries of repeats when at least this many stood still inside.
LAPS_WITH_STOPS = 2
#: Shortest sustained block that is a tempo, in s: 20 min of running, less the minute
#: or more the heart rate needs to rise into the zone.
TEMPO_MIN_S = 15 * 60.0
#: A lap run this much slower than the median lap of a block of laps at tempo heart rate is
#: a recovery, not part of a continuous effort: the heart rate of 6 x 800 m on 400 m jogs
#: stays above 85 % of max through the jogs while the laps alternate 3:44-4:05 and
#: 5:21-5:56/km (tests/data/blind-2026-12k), and a tempo's laps, hilly ones too, stay
#: within a few per cent of each other.
HR_BLOCK_SLOW_LAP = 0.8
#: Observed heart rates may raise the profile's maximum by at most this factor; higher
#: readings are strap artefacts.
MAX_HR_RAISE = 1.1
#: A stream needs this many samples (s) to be read.
MIN_SAMPLES = 120
#: A heart rate whose readings all lie within this many beats is a sensor stuck on one
#: value (a TCX of drewrelmas/runv reads 100 bpm for 34 min), not a heart: from rest to
#: a run's first minutes it rises 20 bpm and more, and no run holds it to a beat or two.
STUCK_HR_BPM = 2.0


@dataclass(frozen=True)
class HrBlock:
    """The longest sustained stretch at tempo heart rate or above."""

    seconds: float
    low_frac: float  # 10th percentile of HR over the block, as a share of max
    high_frac: float  # 90th percentile
    speed: float = math.nan  # moving speed over the block, m/s


@dataclass(frozen=True)
class Features:
    """What the rules of :mod:`analysis.classify` read, from streams or from laps."""

    efforts: Efforts
    hills: tuple[climbs.Climb, ...]  # the climbs of hill repeats, () when there are none
    hr_block: HrBlock | None
    split_speeds: FloatArray  # per-kilometre speeds, m/s
    max_hr: float  # the profile's maximum, raised by what this session showed
    avg_hr_frac: float | None
    peak_hr_frac: float | None
    hr_doubt: plausibility.HeartRateDoubt | None = None  # why the recorded heart rate was set aside
    running_speed: float | None = None  # median speed over the ground while running, m/s


def from_streams(activity: Activity, profile: AthleteProfile) -> Features | None:
    """Features of a run's 1 Hz streams; None when the streams cannot be read."""
    streams = activity.streams
    if streams is None or len(streams) < MIN_SAMPLES or not np.any(clean_speed(streams) > 0):
        return None
    altitude = climbs.altitude_of(streams)
    speed = clean_speed(streams)
    grade = climbs.grade_percent(streams, altitude)
    gap = speed * climbs.minetti_factor(grade) if grade is not None else speed
    gap = climbs.moving_average(np.asarray(gap, dtype=np.float64), SPEED_SMOOTH_S)
    doubt = plausibility.heart_rate_doubt(streams, np.where(speed > 0, gap, 0.0),
                                          profile.max_hr, profile.easy_speed,
                                          plausibility.climb_per_km(activity),
                                          own_pace=profile.own_paces)
    if doubt is not None or _stuck([streams.heartrate]):
        streams = replace(streams, heartrate=None)
    efforts = find_efforts(streams, gap, speed, profile.easy_speed)
    hr = _smooth_hr(streams.heartrate)
    hills = climbs.hill_repeats(
        climbs.find_climbs(streams, altitude), gap, BOUT_ENTRY * efforts.jog_speed, hr, speed
    ) if efforts.jog_speed > 0 else ()
    max_hr = profile.max_hr
    if hr is not None:
        max_hr = max(max_hr, min(float(np.percentile(hr, 99.5)), MAX_HR_RAISE * max_hr))
    return Features(
        efforts=efforts,
        hills=hills,
        hr_block=_stream_hr_block(hr, speed, streams.moving, max_hr),
        split_speeds=claims.kilometre_speeds(streams.distance, streams.moving),
        max_hr=max_hr,
        avg_hr_frac=float(np.mean(hr)) / max_hr if hr is not None else None,
        peak_hr_frac=float(np.percentile(hr, 99.5)) / max_hr if hr is not None else None,
        hr_doubt=doubt,
        running_speed=_running_speed(speed),
    )


def lap_source(activity: Activity) -> tuple[Lap, ...]:
    """The laps a summary is read from: the athlete's laps, or the splits when there are none.
    A lap of no time (a device's closing lap, pressed as the recording stopped) is no lap."""
    laps = tuple(lap for lap in activity.laps if lap.elapsed_s > 0)
    return laps if len(laps) >= 2 else activity.splits


def laps_hold_stops(laps: Sequence[Lap]) -> bool:
    """Whether several laps hold a standstill inside (LAP_STOP_S, LAP_STOP_SHARE): their
    recoveries stood inside the repeats' laps, so consecutive laps are no continuous effort
    (tests/data/blind-2026-12h: 5 x 800 m and 2 x 400 m, each lap's elapsed 3:46-9:20 for
    1:27-3:15 moving, read from its laps as "34 min continuous")."""
    stood = [lap.elapsed_s - lap.moving_s for lap in laps]
    return sum(s >= LAP_STOP_S and s >= LAP_STOP_SHARE * lap.elapsed_s
               for s, lap in zip(stood, laps, strict=True)) >= LAPS_WITH_STOPS


def evenly_spaced(laps: Sequence[Lap]) -> bool:
    """Whether the laps (all but the last, a remainder) share one length: auto-laps or splits,
    which cut where the distance says, not where the workout changed."""
    lengths = np.array([lap.distance_m for lap in laps[:-1]], dtype=np.float64)
    if lengths.size < 2 or not np.all(lengths > 0):
        return False
    median = float(np.median(lengths))
    return bool(np.all(np.abs(lengths - median) <= EVEN_LAP_TOLERANCE * median))


def from_laps(activity: Activity, profile: AthleteProfile) -> Features:
    """Features of a run's summary, laps and splits."""
    laps = lap_source(activity)
    doubt = plausibility.summary_heart_rate_doubt(activity, profile.max_hr, profile.easy_speed,
                                                  own_pace=profile.own_paces)
    readings = [activity.avg_hr, activity.max_hr] + [hr for lap in laps
                                                      for hr in (lap.avg_hr, lap.max_hr)]
    if doubt is not None or _stuck([np.array([r for r in readings if r is not None],
                                             dtype=np.float64)]):
        activity = replace(activity, avg_hr=None, max_hr=None)
        laps = tuple(replace(lap, avg_hr=None, max_hr=None) for lap in laps)
    peak = max([activity.max_hr or 0.0] + [lap.max_hr or 0.0 for lap in laps])
    peak = peak if math.isfinite(peak) and peak > 0 else math.nan
    max_hr = profile.max_hr
    if math.isfinite(peak):
        max_hr = max(max_hr, min(peak, MAX_HR_RAISE * max_hr))
    average = activity.avg_hr if activity.avg_hr and math.isfinite(activity.avg_hr) else None
    return Features(
        efforts=lap_efforts(laps),
        hills=() if evenly_spaced(activity.laps) else climbs.lap_hill_repeats(activity.laps),
        hr_block=_lap_hr_block(laps, max_hr),
        split_speeds=_lap_splits(activity),
        max_hr=max_hr,
        avg_hr_frac=average / max_hr if average is not None else None,
        peak_hr_frac=peak / max_hr if math.isfinite(peak) else None,
        hr_doubt=doubt,
    )


def _running_speed(speed: FloatArray) -> float | None:
    """The median of the cleaned speeds of a runner's pace (RUN_MIN_SPEED or more), m/s:
    walks and standstills left out."""
    running = speed[speed >= RUN_MIN_SPEED]
    return float(np.median(running)) if running.size else None


def clean_speed(streams: Streams) -> FloatArray:
    """Speed with NaN, stops and GPS spikes set to zero."""
    speed = np.nan_to_num(streams.speed.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    speed = np.where((speed > MAX_SPEED) | (speed < 0) | ~streams.moving, 0.0, speed)
    return np.asarray(speed, dtype=np.float64)


def _stuck(heartrates: Sequence[FloatArray | None]) -> bool:
    """Whether the recorded heart rates all lie within STUCK_HR_BPM of each other."""
    values = np.concatenate([h[np.isfinite(h) & (h > 0)] for h in heartrates if h is not None]
                            or [np.empty(0)])
    return values.size > 1 and float(np.ptp(values)) <= STUCK_HR_BPM


def _smooth_hr(heartrate: FloatArray | None) -> FloatArray | None:
    if heartrate is None or np.isfinite(heartrate).mean() < 0.5:
        return None
    finite = np.isfinite(heartrate)
    index = np.arange(heartrate.size)
    filled = np.interp(index, index[finite], heartrate[finite])
    return climbs.moving_average(np.asarray(filled, dtype=np.float64), HR_SMOOTH_S)


def _stream_hr_block(hr: FloatArray | None, speed: FloatArray, moving: BoolArray,
                     max_hr: float) -> HrBlock | None:
    """The longest stretch at tempo heart rate that is one effort: a standing rest of
    STANDING_REST_S or more ends it, whatever the heart rate does in it (a strap that keeps
    beating at 180 through a 90 s stop has not run a tempo through it)."""
    if hr is None:
        return None
    stood = ~close_gaps(moving, STANDING_REST_S - 1)
    mask = close_gaps(hr >= TEMPO_HR_FRAC * max_hr, HR_MERGE_GAP_S) & ~stood
    longest = max(runs_of(mask), key=lambda r: r[1] - r[0], default=(0, 0))
    if longest[1] - longest[0] < TEMPO_MIN_S:
        return None
    a, b = longest
    low, high = np.percentile(hr[a:b], [10, 90]) / max_hr
    moved = int(np.count_nonzero(speed[a:b] > 0))
    pace = float(np.sum(speed[a:b])) / moved if moved else 0.0
    return HrBlock(float(b - a), float(low), float(high), pace)


def _lap_hr_block(laps: Sequence[Lap], max_hr: float) -> HrBlock | None:
    """The longest run of laps at tempo heart rate that is one effort: a lap much slower than
    the run's median lap (HR_BLOCK_SLOW_LAP) is a recovery and breaks it."""
    hot = np.array([lap.avg_hr is not None and lap.avg_hr >= TEMPO_HR_FRAC * max_hr
                    for lap in laps], dtype=np.bool_)
    for a, b in runs_of(hot):
        median = float(np.median([lap.speed for lap in laps[a:b]]))
        hot[a:b] = [lap.speed >= HR_BLOCK_SLOW_LAP * median for lap in laps[a:b]]
    best: HrBlock | None = None
    for a, b in runs_of(hot):
        fracs = [(lap.avg_hr or 0.0) / max_hr for lap in laps[a:b]]
        moving = sum(lap.moving_s for lap in laps[a:b])
        metres = sum(lap.distance_m for lap in laps[a:b])
        block = HrBlock(moving, min(fracs), max(fracs), metres / moving if moving > 0 else 0.0)
        if block.seconds >= TEMPO_MIN_S and (best is None or block.seconds > best.seconds):
            best = block
    return best


def _lap_splits(activity: Activity) -> FloatArray:
    """Per-kilometre speeds from Strava's splits, or from laps that are kilometres."""
    full = [s for s in activity.splits if s.distance_m >= 900 and s.moving_s > 0]
    if len(full) < 2:
        full = [lap for lap in activity.laps if 900 <= lap.distance_m <= 1100 and lap.moving_s > 0]
    return np.array([s.speed for s in full], dtype=np.float64)
