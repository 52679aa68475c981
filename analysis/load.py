"""Training load: Banister's TRIMP, and whether a session needs recovery after it.

TRIMP weighs each minute by the heart-rate reserve it was run at, exponentially, so a
minute at threshold counts several easy minutes. The best heart-rate data available is
used: the 1 Hz stream, then the laps' averages, then the session's average; without any
heart rate a run's pace stands in for it, and other sports count their duration.

A swim's effort is its swimming time: the rests at the wall between its sets are recovery
inside the session, which a heart-rate stream weighs as such and a duration must leave out.
Its record keeps both, the swimming time as its moving time and the time it lasted as its
elapsed time, whether it came from the device's laps or from Strava's summary.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from analysis import segments
from analysis.classify import swimming_s
from analysis.model import (
    QUALITY_WORKOUTS,
    Activity,
    Classification,
    FloatArray,
    SessionRecord,
    Workout,
    is_run,
)
from analysis.plausibility import HeartRateDoubt
from analysis.profile import AthleteProfile

#: Banister TRIMP weighting for men, Morton et al. (1990): 0.64 e^(1.92 HRr). The
#: profile does not know the athlete's sex, so the men's weighting (women's exponent:
#: 1.67) is used for everyone.
TRIMP_A_MALE = 0.64
#: Exponent of the men's weighting.
TRIMP_B_MALE = 1.92
#: Heart-rate reserve at threshold pace, used to turn pace into a stand-in HRr: lactate
#: threshold sits near 85-90 % of HRmax, about 85 % of the reserve (Karvonen).
THRESHOLD_HRR = 0.85
#: Heart-rate reserve assumed for sessions without heart rate or pace (strength, a ride
#: without a strap): ACSM's "moderate" band is 40-59 % of the reserve.
MODERATE_HRR = 0.5
#: Share of the samples that must carry heart rate before the stream is trusted over laps.
MIN_HR_COVERAGE = 0.5
#: TRIMP from which any session counts as hard: about an hour near 80 % of the reserve,
#: where Edwards' and Foster's scales put "hard" days.
HARD_TRIMP = 150.0
#: Labels that always need a recovery day after them (long runs drain glycogen).
HARD_WORKOUTS = QUALITY_WORKOUTS | {Workout.LONG}
#: A run this long needs recovery whatever its label: past 90-120 min of running muscle
#: glycogen is spent (Coyle 1986, J Appl Physiol 61:165), and a 2-hour run is a long run
#: for every runner but an ultra runner.
VERY_LONG_RUN_S = 2 * 3600.0
#: A session's maximum heart rate is the highest the heart held for this long (samples at
#: 1 Hz): a loose strap or static makes spikes of a few samples (one run of tests/data
#: reads 223 bpm once, where its 99th percentile is 196), which no heart beat at.
MAX_HR_HELD_S = 10


def trimp(activity: Activity, profile: AthleteProfile) -> float:
    """Banister TRIMP of one activity, in its usual units (weighted minutes).

    Returns:
        A non-negative load; 0 for an activity without duration.
    """
    hrr = _stream_hrr(activity, profile)
    if hrr is not None:
        return _weighted_minutes(np.ones_like(hrr), hrr) * _coverage_scale(activity, hrr)
    durations, hrr = _lap_hrr(activity, profile)
    if durations.size:
        return _weighted_minutes(durations, hrr)
    if activity.avg_hr is not None and math.isfinite(activity.avg_hr):
        return _weighted_minutes(np.array([_duration(activity)]), _hrr(activity.avg_hr, profile))
    return _stand_in(activity, profile)


def is_hard(
    activity: Activity, classification: Classification, load: float, profile: AthleteProfile
) -> bool:
    """Whether the session needs recovery after it: a quality, long or very long run, or a
    big load."""
    if classification.workout in HARD_WORKOUTS:
        return True
    if is_run(activity.sport) and _duration(activity) >= VERY_LONG_RUN_S:
        return True
    return load >= HARD_TRIMP


def session_record(
    activity: Activity,
    classification: Classification,
    profile: AthleteProfile,
    activity_id: int | None = None,
) -> SessionRecord:
    """The compact trace this activity leaves in the athlete's history.

    A heart rate the classifier set aside (:func:`heart_rate_doubt`) is set aside here too:
    the load, whether the session was hard, and the heart rates kept for the athlete's
    profile then come from the pace, as for a run without heart rate.
    """
    if heart_rate_doubt(activity, profile) is not None:
        activity = without_heart_rate(activity)
    load = trimp(activity, profile)
    return SessionRecord(
        start=activity.start,
        sport=activity.sport,
        workout=classification.workout,
        distance_m=activity.distance_m,
        moving_s=effort_s(activity),
        load=load,
        hard=is_hard(activity, classification, load, profile),
        avg_hr=activity.avg_hr,
        max_hr=held_max_hr(activity),
        ascent_m=activity.ascent_m,
        activity_id=activity_id,
        elapsed_s=activity.elapsed_s,
    )


def heart_rate_doubt(activity: Activity, profile: AthleteProfile) -> HeartRateDoubt | None:
    """Why a run's heart rate is not effort, as the classifier judges it (from the streams
    when they can be read, else from the summary and laps); None when it is believed."""
    if not is_run(activity.sport):
        return None
    features = segments.from_streams(activity, profile)
    if features is None:
        features = segments.from_laps(activity, profile)
    return features.hr_doubt


def without_heart_rate(activity: Activity) -> Activity:
    """``activity`` with every heart rate it carries removed."""
    streams = activity.streams
    return replace(
        activity, avg_hr=None, max_hr=None,
        laps=tuple(replace(lap, avg_hr=None, max_hr=None) for lap in activity.laps),
        splits=tuple(replace(lap, avg_hr=None, max_hr=None) for lap in activity.splits),
        streams=replace(streams, heartrate=None) if streams is not None else None,
    )


def held_max_hr(activity: Activity) -> float | None:
    """The highest heart rate held for :data:`MAX_HR_HELD_S` seconds, from the stream; the
    recorded maximum when there is no stream of heart rate to check it against."""
    streams = activity.streams
    hr = streams.heartrate if streams is not None else None
    if hr is None or np.count_nonzero(np.isfinite(hr)) < MAX_HR_HELD_S:
        return activity.max_hr
    filled = np.where(np.isfinite(hr), hr, -np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(filled, MAX_HR_HELD_S)
    held = float(np.max(np.min(windows, axis=1)))
    return held if math.isfinite(held) else activity.max_hr


def _hrr(hr: FloatArray | float, profile: AthleteProfile) -> FloatArray:
    reserve = max(profile.max_hr - profile.rest_hr, 1.0)
    return np.clip((np.asarray(hr, dtype=np.float64) - profile.rest_hr) / reserve, 0.0, 1.0)


def _weighted_minutes(seconds: FloatArray, hrr: FloatArray) -> float:
    weights = hrr * TRIMP_A_MALE * np.exp(TRIMP_B_MALE * hrr)
    return float(np.sum(seconds / 60.0 * weights))


def effort_s(activity: Activity) -> float:
    """Seconds of effort: a swim's swimming time when its rests at the wall add up to a
    minute or more (analysis.classify.swimming_s), else the moving time."""
    swimming = swimming_s(activity)
    return swimming if swimming is not None else activity.moving_s


def _duration(activity: Activity) -> float:
    seconds = effort_s(activity)
    seconds = seconds if seconds > 0 else activity.elapsed_s
    return seconds if math.isfinite(seconds) and seconds > 0 else 0.0


def _stream_hrr(activity: Activity, profile: AthleteProfile) -> FloatArray | None:
    streams = activity.streams
    if streams is None or streams.heartrate is None or len(streams) == 0:
        return None
    hr = streams.heartrate[np.isfinite(streams.heartrate)]
    if hr.size < MIN_HR_COVERAGE * len(streams):
        return None
    return _hrr(hr, profile)


def _coverage_scale(activity: Activity, valid_hrr: FloatArray) -> float:
    """Gaps in the stream are counted at the intensity of the rest of it."""
    total = len(activity.streams) if activity.streams is not None else valid_hrr.size
    return total / valid_hrr.size if valid_hrr.size else 0.0


def _lap_hrr(activity: Activity, profile: AthleteProfile) -> tuple[FloatArray, FloatArray]:
    laps = [lap for lap in activity.laps if lap.avg_hr is not None and math.isfinite(lap.avg_hr)]
    covered = sum(lap.moving_s for lap in laps)
    if not laps or covered < MIN_HR_COVERAGE * _duration(activity):
        return np.empty(0), np.empty(0)
    durations = np.array([max(lap.moving_s, 0.0) for lap in laps])
    return durations, _hrr(np.array([lap.avg_hr for lap in laps]), profile)


def _stand_in(activity: Activity, profile: AthleteProfile) -> float:
    """Pace-based load for runs, duration-based for everything else."""
    if not is_run(activity.sport) or activity.speed <= 0:
        return _weighted_minutes(np.array([_duration(activity)]), np.array([MODERATE_HRR]))
    seconds, speeds = _pace_segments(activity)
    hrr = np.clip(THRESHOLD_HRR * speeds / profile.threshold_speed, 0.0, 1.0)
    return _weighted_minutes(seconds, hrr)


def _pace_segments(activity: Activity) -> tuple[FloatArray, FloatArray]:
    """Durations and speeds at the finest grain known: samples, laps, or the whole run."""
    streams = activity.streams
    if streams is not None and len(streams) > 0:
        speed = np.nan_to_num(streams.speed[streams.moving], nan=0.0)
        if speed.size:
            return np.ones_like(speed), speed
    laps = [lap for lap in activity.laps if lap.moving_s > 0]
    if laps:
        return np.array([lap.moving_s for lap in laps]), np.array([lap.speed for lap in laps])
    return np.array([_duration(activity)]), np.array([activity.speed])
