"""Labelled synthetic activities, recorded the way devices record them.

Each workout is a plan of segments (duration, pace, gradient) for one athlete, rendered at
1 Hz with what real recordings carry: GPS speed jitter, heart rate that lags and drifts,
altitude noise, sensor dropouts, a stop at a traffic light, auto-laps or manual laps,
Strava's per-kilometre splits. The sandbox Strava and the classifier's tests use them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from analysis.climbs import minetti_factor
from analysis.model import (
    STRAVA_RUN_LONG,
    STRAVA_RUN_RACE,
    STRAVA_RUN_WORKOUT,
    Activity,
    FloatArray,
    Lap,
    Streams,
    Workout,
)
from analysis.profile import AthleteProfile

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
#: Chance of a manual entry (no streams, no laps) for a steady run, strength or cross training.
MANUAL_P = 0.08
#: Race distances in m with their pace relative to threshold (Daniels' race tables).
RACES = ((5000.0, 1.06), (10000.0, 1.02), (21097.5, 0.96))

Segment = tuple[float, float, float, str, bool]  # seconds, speed, grade %, kind, starts a lap


@dataclass(frozen=True)
class _Plan:
    sport: str
    segments: list[Segment]
    laps: str  # "auto", "manual", "one" or "none"
    workout_type: int | None = None
    race: bool = False
    outdoor: bool = True


def generate(
    workout: Workout,
    rng: np.random.Generator,
    start: datetime,
    profile: AthleteProfile | None = None,
    with_streams: bool = True,
) -> Activity:
    """One realistic activity of the given kind for the athlete (random if None)."""
    athlete = profile or _random_athlete(rng)
    plan = _PLANNERS[workout](rng, athlete)
    if workout is Workout.OTHER:
        return _other(rng, start, athlete)
    if plan.sport in ("WeightTraining", "Crossfit", "Workout", "Swim") or (
            workout in _MANUAL_OK and rng.random() < MANUAL_P):
        return _summary_only(plan, rng, start, athlete, manual=plan.sport not in _INDOOR_HR)
    activity = _render(plan, rng, start, athlete)
    return activity if with_streams else replace(activity, streams=None)


def labelled_set(n_per_label: int, seed: int, start: datetime) -> list[tuple[Workout, Activity]]:
    """``n_per_label`` activities of every label, each by a different random athlete."""
    rng = np.random.default_rng(seed)
    return [(label, generate(label, rng, start + timedelta(days=i), None))
            for label in Workout for i in range(n_per_label)]


def _random_athlete(rng: np.random.Generator) -> AthleteProfile:
    threshold = rng.uniform(3.0, 5.0)
    easy = threshold * rng.uniform(0.72, 0.8)
    return AthleteProfile(
        max_hr=rng.uniform(178, 202), rest_hr=rng.uniform(45, 65), easy_speed=easy,
        threshold_speed=threshold, typical_run_m=easy * 3000, long_run_m=easy * 4500,
        typical_run_s=3000.0, runs_seen=0, hr_source="given", pace_source="given")


def _u(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def _easy(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    return _steady(rng, a, _u(rng, 30, 70) * 60, a.easy_speed * _u(rng, 0.95, 1.05))


def _recovery(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    return _steady(rng, a, _u(rng, 20, 38) * 60, a.easy_speed * _u(rng, 0.8, 0.88))


def _long(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    plan = _steady(rng, a, _u(rng, 95, 150) * 60, a.easy_speed * _u(rng, 0.93, 1.0))
    return replace(plan, workout_type=STRAVA_RUN_LONG if rng.random() < 0.3 else None)


def _steady(rng: np.random.Generator, a: AthleteProfile, seconds: float, speed: float) -> _Plan:
    pieces = max(1, int(seconds // 240))
    amplitude = _u(rng, 0, 3) * rng.integers(0, 2)
    grades = amplitude * np.sin(np.arange(pieces) * _u(rng, 0.5, 1.5))
    segments = [(seconds / pieces, speed / float(minetti_factor(np.array(g))), float(g), "run",
                 False) for g in grades]
    return _Plan("Run", segments, str(rng.choice(["auto", "auto", "one", "none"])))


def _tempo(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    warm = _run(_u(rng, 8, 15) * 60, a.easy_speed)
    cool = _run(_u(rng, 5, 12) * 60, a.easy_speed * 0.95)
    pace = a.threshold_speed * _u(rng, 0.97, 1.03)
    variant = rng.integers(0, 3)
    if variant == 0:
        main = [_work(_u(rng, 20, 40) * 60, pace)]
    elif variant == 1:
        block = _u(rng, 12, 16) * 60
        main = [_work(block, pace), _rest(_u(rng, 120, 180), a.easy_speed * 0.85),
                _work(block, pace)]
    else:
        steps = np.linspace(a.easy_speed, pace * 1.02, 6)
        main = [_work(_u(rng, 4, 6) * 60, float(s)) for s in steps]
    laps = "manual" if rng.random() < 0.5 else "auto"
    kind = STRAVA_RUN_WORKOUT if rng.random() < 0.3 else None
    return _Plan("Run", [warm, *main, cool], laps, kind)


def _intervals(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    reps = int(rng.integers(4, 9))
    seconds = _u(rng, 90, 360)
    pace = a.threshold_speed * (1.2 - seconds / 360 * 0.12) * _u(rng, 0.98, 1.02)
    if rng.random() < 0.5:  # distance repeats: 400 m to 1600 m
        seconds = float(rng.choice([400, 800, 1000, 1200, 1600])) / pace
    rest = _u(rng, 60, 180)
    rest_speed = 0.0 if rng.random() < 0.15 else a.easy_speed * _u(rng, 0.7, 0.9)
    return _repeats(rng, a, reps, seconds, pace, rest, rest_speed, "manual")


def _sprints(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    reps = int(rng.integers(6, 13))
    pace = a.threshold_speed * _u(rng, 1.35, 1.6)
    rest_speed = 1.4 if rng.random() < 0.5 else a.easy_speed * 0.75
    return _repeats(rng, a, reps, _u(rng, 12, 30), pace, _u(rng, 60, 120), rest_speed, "none")


def _repeats(rng: np.random.Generator, a: AthleteProfile, reps: int, seconds: float,
             pace: float, rest: float, rest_speed: float, laps: str) -> _Plan:
    main: list[Segment] = []
    for i in range(reps):
        main += [_work(seconds * _u(rng, 0.97, 1.03), pace * _u(rng, 0.97, 1.03))]
        main += [_rest(rest, rest_speed)] if i < reps - 1 else []
    warm, cool = _run(_u(rng, 10, 15) * 60, a.easy_speed), _run(_u(rng, 8, 12) * 60, a.easy_speed)
    lap_mode = laps if rng.random() < 0.6 else str(rng.choice(["auto", "none"]))
    kind = STRAVA_RUN_WORKOUT if rng.random() < 0.3 else None
    return _Plan("Run", [warm, *main, cool], lap_mode, kind)


def _hills(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    grade, rise = _u(rng, 5, 9), _u(rng, 15, 35)
    length = rise / grade * 100
    effort = a.threshold_speed * _u(rng, 1.0, 1.1)
    up = effort / float(minetti_factor(np.array(grade)))
    main: list[Segment] = []
    for _ in range(int(rng.integers(4, 11))):
        main += [(length / up, up, grade, "work", True),
                 (length / (a.easy_speed * 0.85), a.easy_speed * 0.85, -grade, "rest", True)]
    warm, cool = _run(_u(rng, 10, 15) * 60, a.easy_speed), _run(_u(rng, 8, 12) * 60, a.easy_speed)
    return _Plan("Run", [warm, *main, cool], str(rng.choice(["manual", "auto", "none"])))


def _fartlek(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    main: list[Segment] = []
    for _ in range(int(rng.integers(5, 11))):
        main += [_work(float(np.exp(_u(rng, np.log(30), np.log(240)))),
                       a.threshold_speed * _u(rng, 0.95, 1.25)),
                 _run(_u(rng, 45, 240), a.easy_speed * _u(rng, 0.95, 1.05))]
    warm, cool = _run(_u(rng, 8, 12) * 60, a.easy_speed), _run(_u(rng, 5, 10) * 60, a.easy_speed)
    return _Plan("Run", [warm, *main, cool], str(rng.choice(["auto", "none"])))


def _race(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    distance, factor = RACES[int(rng.integers(0, len(RACES)))]
    distance *= _u(rng, 1.003, 1.02)
    pace = a.threshold_speed * factor * _u(rng, 0.98, 1.02)
    segments = [_work(distance / 10 / (pace * f), pace * f) for f in np.linspace(1.01, 0.99, 10)]
    kind = STRAVA_RUN_RACE if rng.random() < 0.5 else None
    return _Plan("Run", segments, "auto", kind, race=True)


def _strength(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    sport = str(rng.choice(["WeightTraining", "Crossfit", "Workout"]))
    return _Plan(sport, [(_u(rng, 30, 75) * 60, 0.0, 0.0, "gym", False)], "one", outdoor=False)


def _cross(rng: np.random.Generator, a: AthleteProfile) -> _Plan:
    sport, low, high = [("Ride", 6.0, 9.0), ("Walk", 1.2, 1.6), ("Hike", 0.8, 1.3),
                        ("Swim", 0.6, 0.9), ("Rowing", 3.5, 4.5)][int(rng.integers(0, 5))]
    seconds = _u(rng, 30, 120) * 60
    return _Plan(sport, [(seconds, _u(rng, low, high), 0.0, "cross", False)], "one")


def _run(seconds: float, speed: float) -> Segment:
    return (seconds, speed, 0.0, "run", True)


def _work(seconds: float, speed: float) -> Segment:
    return (seconds, speed, 0.0, "work", True)


def _rest(seconds: float, speed: float) -> Segment:
    return (seconds, speed, 0.0, "rest" if speed > 0 else "stop", True)


def _render(plan: _Plan, rng: np.random.Generator, start: datetime, a: AthleteProfile) -> Activity:
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
    speed = np.where(moving, np.maximum(target + _red_noise(rng, n, GPS_JITTER, 4), 0.3), 0.0)
    distance = np.cumsum(speed)
    altitude = (_u(rng, 0, 400) + np.cumsum(speed * grade / 100) + _red_noise(rng, n, 0.6, 10)
                if plan.outdoor else None)
    hr = _heart_rate(rng, a, target * minetti_factor(grade) / a.threshold_speed, plan.race)
    cadence = np.where(moving, 150 + 7 * speed + rng.normal(0, 2, n), 0.0)
    streams = Streams(np.arange(n, dtype=np.float64), distance, speed, moving, hr, altitude,
                      None, cadence if plan.sport == "Run" else None)
    return _activity(plan, start, streams, _laps(plan, lengths, streams))


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


def _laps(plan: _Plan, lengths: list[int], s: Streams) -> tuple[Lap, ...]:
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


def _activity(plan: _Plan, start: datetime, s: Streams, laps: tuple[Lap, ...]) -> Activity:
    whole = _lap(s, 0, len(s))
    marks = np.searchsorted(s.distance, np.arange(1000.0, s.distance[-1], 1000.0))
    edges = [0, *[int(m) for m in marks if 0 < m < len(s)], len(s)]
    splits = tuple(_lap(s, a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a)
    return Activity(
        sport=plan.sport, start=start, elapsed_s=whole.elapsed_s, moving_s=whole.moving_s,
        distance_m=whole.distance_m, ascent_m=whole.ascent_m, avg_hr=whole.avg_hr,
        max_hr=whole.max_hr, laps=laps, splits=splits if plan.sport == "Run" else (),
        streams=s, workout_type=plan.workout_type, name=f"{plan.sport} ({plan.laps} laps)")


def _summary_only(plan: _Plan, rng: np.random.Generator, start: datetime, a: AthleteProfile,
                  manual: bool) -> Activity:
    """A strength session, a swim or a hand-entered activity: no GPS, maybe a strap."""
    seconds = sum(seg[0] for seg in plan.segments)
    distance = sum(seg[0] * seg[1] for seg in plan.segments)
    streams = None
    if not manual and rng.random() < 0.5:
        hr = _heart_rate(rng, a, np.full(round(seconds), _u(rng, 0.6, 0.75)), race=False)
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
        plan = _Plan("Run", [_run(_u(rng, 40, 280), a.easy_speed)], "one")
        return _render(plan, rng, start, a)
    seconds = _u(rng, 20, 40) * 60 if variant == 1 else _u(rng, 15, 30) * 3600
    distance = 0.0 if variant == 1 else _u(rng, 3000, 8000)
    return Activity(sport="Run", start=start, elapsed_s=seconds, moving_s=seconds,
                    distance_m=distance, trainer=variant == 1, name="Run (no usable data)")


_PLANNERS = {
    Workout.EASY: _easy, Workout.RECOVERY: _recovery, Workout.LONG: _long,
    Workout.TEMPO: _tempo, Workout.INTERVALS: _intervals, Workout.SPRINTS: _sprints,
    Workout.HILLS: _hills, Workout.FARTLEK: _fartlek, Workout.RACE: _race,
    Workout.STRENGTH: _strength, Workout.CROSS_TRAINING: _cross, Workout.OTHER: _easy,
}
_MANUAL_OK = frozenset({Workout.EASY, Workout.LONG, Workout.CROSS_TRAINING})
_INDOOR_HR = frozenset({"WeightTraining", "Crossfit", "Workout"})
