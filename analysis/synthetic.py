"""Labelled synthetic activities, recorded the way devices record them.

Each workout is a plan of segments (duration, pace, gradient) for one athlete, rendered at
1 Hz with what real recordings carry: GPS speed jitter, heart rate that lags and drifts,
altitude noise, sensor dropouts, a stop at a traffic light, auto-laps or manual laps,
Strava's per-kilometre splits. The sandbox Strava and the classifier's tests use them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from analysis.climbs import minetti_factor
from analysis.model import Activity, FloatArray, Lap, Streams, Workout
from analysis.profile import AthleteProfile
from analysis.synthetic_plans import PLANNERS, Plan, draw, random_athlete, run_segment

#: Standard deviation of 1 Hz GPS speed error in m/s (consumer watches: 0.1-0.3).
GPS_JITTER = 0.2
#: Heart rate follows effort with this time constant in s (Hopkins: 20-40 s).
HR_TAU_S = 30.0
#: Cardiac drift in bpm per hour of running (Coyle: 5-10 % over an hour in the heat).
HR_DRIFT_PER_H = 6.0
#: Heart-rate reserve at threshold pace (Karvonen; lactate threshold near 85-90 % HRmax).
THRESHOLD_HRR = 0.86
#: Heart-rate reserve gained per unit of speed relative to threshold.
HRR_SLOPE = 1.1
#: Extra reserve an athlete finds in a race: adrenaline and all-out effort.
RACE_HRR_BONUS = 0.05
#: Altitude steps smaller than this (m) are noise, not ascent (devices filter the same way).
ASCENT_STEP_M = 0.3
#: Chance that a run has no heart-rate strap.
NO_HR_P = 0.1
#: Chance of a stop at a traffic light during a run.
STOP_P = 0.3
#: Chance that a run is recorded by a phone, whose GPS wanders far more than a watch's.
PHONE_P = 0.2
#: Standard deviation (m) and time constant (s) of a phone's position error along the
#: track: 3-10 m in the open (van Diggelen 2015), correlated over tens of seconds; its
#: derivative swings the speed by 0.2-0.4 m/s, as on shared/data/history.
PHONE_ERROR_M = 5.0
PHONE_ERROR_TAU_S = 20.0
#: Position jumps per hour of a phone recording (multipath under trees and buildings),
#: each out and back by 10-30 m over 20-40 s: a burst of speed and its payback.
PHONE_JUMPS_PER_H = 6.0
#: Chance of a manual entry (no streams, no laps) for a steady run, strength or cross training.
MANUAL_P = 0.08


def generate(
    workout: Workout,
    rng: np.random.Generator,
    start: datetime,
    profile: AthleteProfile | None = None,
    with_streams: bool = True,
    phone: bool | None = None,
    manual: bool = False,
) -> Activity:
    """One realistic activity of the given kind for the athlete (random if None).

    Parameters:
        phone: record a run with a phone's wandering GPS (True), a watch's (False), or
            either at random (None).
        manual: entered by hand (summary only), rather than sometimes at random.
    """
    athlete = profile or random_athlete(rng)
    plan = PLANNERS[workout](rng, athlete)
    by_phone = rng.random() < PHONE_P if phone is None else phone
    plan = replace(plan, phone=by_phone and plan.sport == "Run")
    if workout is Workout.OTHER:
        return _other(rng, start, athlete)
    if plan.sport in ("WeightTraining", "Crossfit", "Workout", "Swim") or manual or (
            workout in _MANUAL_OK and rng.random() < MANUAL_P):
        return _summary_only(plan, rng, start, athlete,
                             manual=manual or plan.sport not in _INDOOR_HR)
    activity = _render(plan, rng, start, athlete)
    return activity if with_streams else replace(activity, streams=None)


def labelled_set(n_per_label: int, seed: int, start: datetime) -> list[tuple[Workout, Activity]]:
    """``n_per_label`` activities of every label, each by a different random athlete."""
    rng = np.random.default_rng(seed)
    return [(label, generate(label, rng, start + timedelta(days=i), None))
            for label in Workout for i in range(n_per_label)]


def _render(plan: Plan, rng: np.random.Generator, start: datetime, a: AthleteProfile) -> Activity:
    lengths = [max(1, round(s[0])) for s in plan.segments]
    target = np.repeat([s[1] for s in plan.segments], lengths)
    grade = np.repeat([s[2] for s in plan.segments], lengths)
    if plan.sport == "Run" and rng.random() < STOP_P:
        calm = np.flatnonzero(np.repeat([s[3] != "work" for s in plan.segments], lengths))
        at = int(rng.choice(calm)) if calm.size else 0
        target[at:at + int(rng.integers(20, 60))] = 0.0
    n = target.size
    target = np.convolve(target, np.ones(5) / 5, mode="same")
    moving = target > 0.3
    error = _phone_error(rng, n) if plan.phone else _red_noise(rng, n, GPS_JITTER, 4)
    speed = np.where(moving, np.maximum(target + error, 0.3), 0.0)
    distance = np.cumsum(speed)
    altitude = (draw(rng, 0, 400) + np.cumsum(speed * grade / 100) + _red_noise(rng, n, 0.6, 10)
                if plan.outdoor else None)
    hr = _heart_rate(rng, a, target * minetti_factor(grade) / a.threshold_speed, plan.race)
    cadence = np.where(moving, 150 + 7 * speed + rng.normal(0, 2, n), 0.0)
    streams = Streams(np.arange(n, dtype=np.float64), distance, speed, moving, hr, altitude,
                      None, cadence if plan.sport == "Run" else None)
    return _activity(plan, start, streams, _laps(plan, lengths, streams))


def _phone_error(rng: np.random.Generator, n: int) -> FloatArray:
    """Speed error (m/s) of a phone: the rate of change of its wandering position error."""
    position = _red_noise(rng, n, PHONE_ERROR_M, PHONE_ERROR_TAU_S)
    for _ in range(int(rng.poisson(PHONE_JUMPS_PER_H * n / 3600))):
        width, at = int(rng.integers(20, 41)), int(rng.integers(0, n))
        bump = draw(rng, 10, 30) * np.sin(np.linspace(0, np.pi, width)) ** 2
        position[at:at + width] += bump[:max(0, min(width, n - at))]
    return np.asarray(np.gradient(position), dtype=np.float64)


def _red_noise(rng: np.random.Generator, n: int, sd: float, tau: float) -> FloatArray:
    kernel = np.exp(-np.arange(int(4 * tau) + 1) / tau)
    noise = np.convolve(rng.normal(0, 1, n), kernel, mode="same")
    return np.asarray(noise * sd / np.sqrt(np.sum(kernel**2)), dtype=np.float64)


def _heart_rate(rng: np.random.Generator, a: AthleteProfile, effort: FloatArray,
                race: bool) -> FloatArray | None:
    if rng.random() < NO_HR_P:
        return None
    hrr = THRESHOLD_HRR + HRR_SLOPE * (effort - 1) + (RACE_HRR_BONUS if race else 0.0)
    hrr = np.where(effort > 0.1, np.clip(hrr, 0.3, 1.0), 0.3)
    drift = HR_DRIFT_PER_H * np.arange(effort.size) / 3600
    target = np.concatenate((np.full(200, 0.35), hrr)) * (a.max_hr - a.rest_hr) + a.rest_hr
    kernel = np.exp(-np.arange(int(5 * HR_TAU_S)) / HR_TAU_S)
    lagged = np.convolve(target, kernel / kernel.sum())[200:200 + effort.size]
    hr = np.minimum(lagged + drift + rng.normal(0, 1.5, effort.size), a.max_hr)
    for _ in range(int(rng.integers(0, 3))):
        at = int(rng.integers(0, effort.size))
        hr[at:at + int(rng.integers(5, 30))] = np.nan
    return np.asarray(np.round(hr), dtype=np.float64)


def _laps(plan: Plan, lengths: list[int], s: Streams) -> tuple[Lap, ...]:
    n = len(s)
    if plan.laps == "none":
        return ()
    if plan.laps == "auto":
        bounds = np.searchsorted(s.distance, np.arange(1000.0, s.distance[-1], 1000.0))
    elif plan.laps == "manual":
        bounds = np.cumsum(lengths)[:-1][[seg[4] for seg in plan.segments[1:]]]
    else:
        bounds = np.empty(0, dtype=np.int64)
    edges = [0, *[int(b) for b in bounds if 0 < b < n], n]
    return tuple(_lap(s, a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a)


def _lap(s: Streams, a: int, b: int) -> Lap:
    hr = s.heartrate[a:b] if s.heartrate is not None else np.empty(0)
    hr = hr[np.isfinite(hr)]
    rise = np.diff(s.altitude[max(a - 1, 0):b]) if s.altitude is not None else np.empty(0)
    rise = rise[np.abs(rise) >= ASCENT_STEP_M]
    return Lap(
        start_s=float(a), elapsed_s=float(b - a),
        moving_s=float(np.count_nonzero(s.moving[a:b])),
        distance_m=float(s.distance[b - 1] - (s.distance[a - 1] if a else 0.0)),
        avg_hr=float(np.mean(hr)) if hr.size else None,
        max_hr=float(np.max(hr)) if hr.size else None,
        ascent_m=float(np.sum(np.clip(rise, 0, None))) if s.altitude is not None else None)


def _activity(plan: Plan, start: datetime, s: Streams, laps: tuple[Lap, ...]) -> Activity:
    whole = _lap(s, 0, len(s))
    marks = np.searchsorted(s.distance, np.arange(1000.0, s.distance[-1], 1000.0))
    edges = [0, *[int(m) for m in marks if 0 < m < len(s)], len(s)]
    splits = tuple(_lap(s, a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a)
    return Activity(
        sport=plan.sport, start=start, elapsed_s=whole.elapsed_s, moving_s=whole.moving_s,
        distance_m=whole.distance_m, ascent_m=whole.ascent_m, avg_hr=whole.avg_hr,
        max_hr=whole.max_hr, laps=laps, splits=splits if plan.sport == "Run" else (),
        streams=s, workout_type=plan.workout_type, name=_name(plan))


def _name(plan: Plan) -> str:
    """``Run (auto laps, phone, strides)``: how it was recorded, and the trap it holds."""
    notes = [f"{plan.laps} laps"] + (["phone"] if plan.phone else []) + (
        [plan.variant] if plan.variant else [])
    return f"{plan.sport} ({', '.join(notes)})"


def _summary_only(plan: Plan, rng: np.random.Generator, start: datetime, a: AthleteProfile,
                  manual: bool) -> Activity:
    """A strength session, a swim or a hand-entered activity: no GPS, maybe a strap."""
    seconds = sum(seg[0] for seg in plan.segments)
    distance = sum(seg[0] * seg[1] for seg in plan.segments)
    streams = None
    if not manual and rng.random() < 0.5:
        hr = _heart_rate(rng, a, np.full(round(seconds), draw(rng, 0.6, 0.75)), race=False)
        zeros = np.zeros(round(seconds))
        streams = Streams(np.arange(zeros.size, dtype=np.float64), zeros, zeros,
                          np.ones(zeros.size, dtype=np.bool_), hr)
    hr = streams.heartrate if streams is not None else None
    finite = hr[np.isfinite(hr)] if hr is not None else np.empty(0)
    return Activity(
        sport=plan.sport, start=start, elapsed_s=seconds, moving_s=seconds, distance_m=distance,
        avg_hr=float(np.mean(finite)) if finite.size else None,
        max_hr=float(np.max(finite)) if finite.size else None,
        streams=streams, name=f"{plan.sport} (summary only)", manual=manual)


def _other(rng: np.random.Generator, start: datetime, a: AthleteProfile) -> Activity:
    """Runs nobody can judge: a few minutes, no distance, a watch left running."""
    variant = int(rng.integers(0, 3))
    if variant == 0:
        plan = Plan("Run", [run_segment(draw(rng, 40, 280), a.easy_speed)], "one")
        return _render(plan, rng, start, a)
    seconds = draw(rng, 20, 40) * 60 if variant == 1 else draw(rng, 15, 30) * 3600
    distance = 0.0 if variant == 1 else draw(rng, 3000, 8000)
    return Activity(sport="Run", start=start, elapsed_s=seconds, moving_s=seconds,
                    distance_m=distance, trainer=variant == 1, name="Run (no usable data)")



_MANUAL_OK = frozenset({Workout.EASY, Workout.LONG, Workout.CROSS_TRAINING})
_INDOOR_HR = frozenset({"WeightTraining", "Crossfit", "Workout"})
