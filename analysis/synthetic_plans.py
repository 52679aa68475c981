"""Workout plans for the synthetic generator: segments of duration, pace and gradient
that an athlete of a given fitness would run for each label, traps included (run/walk,
an easy run finished with strides), which are easy runs whatever their bouts look like.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from analysis.climbs import minetti_factor
from analysis.model import STRAVA_RUN_LONG, STRAVA_RUN_RACE, STRAVA_RUN_WORKOUT, Workout
from analysis.profile import AthleteProfile

#: Kinds of easy run, drawn with equal chance: the steady run twice as often as the
#: traps that look like workouts to a naive reader of speed.
EASY_VARIANTS = ("steady", "steady", "run/walk", "strides")
#: Race distances in m with their pace relative to threshold (Daniels' race tables).
RACES = ((5000.0, 1.06), (10000.0, 1.02), (21097.5, 0.96))

Segment = tuple[float, float, float, str, bool]  # seconds, speed, grade %, kind, starts a lap


@dataclass(frozen=True)
class Plan:
    """What the athlete runs and how the device records it."""

    sport: str
    segments: list[Segment]
    laps: str  # "auto", "manual", "one" or "none"
    workout_type: int | None = None
    race: bool = False
    outdoor: bool = True
    variant: str = ""  # a trap's name, shown in the activity's name
    phone: bool = False  # recorded by a phone's wandering GPS


def random_athlete(rng: np.random.Generator) -> AthleteProfile:
    threshold = rng.uniform(3.0, 5.0)
    easy = threshold * rng.uniform(0.72, 0.8)
    return AthleteProfile(
        max_hr=rng.uniform(178, 202), rest_hr=rng.uniform(45, 65), easy_speed=easy,
        threshold_speed=threshold, typical_run_m=easy * 3000, long_run_m=easy * 4500,
        typical_run_s=3000.0, runs_seen=0, hr_source="given", pace_source="given")


def draw(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def easy(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    seconds, speed = draw(rng, 30, 70) * 60, a.easy_speed * draw(rng, 0.95, 1.05)
    variant = str(rng.choice(EASY_VARIANTS))
    if variant == "run/walk":
        return _run_walk(rng, seconds, speed)
    if variant == "strides":
        return _with_strides(rng, a, _steady(rng, a, seconds, speed))
    return _steady(rng, a, seconds, speed)


def _run_walk(rng: np.random.Generator, seconds: float, speed: float) -> Plan:
    """Galloway's run/walk: a few minutes of running at a loose pace, a minute's walk."""
    segments: list[Segment] = []
    while sum(seg[0] for seg in segments) < seconds:
        segments += [run_segment(draw(rng, 120, 480), speed * draw(rng, 0.9, 1.1)),
                     _rest(draw(rng, 30, 90), draw(rng, 1.2, 1.6))]
    laps = str(rng.choice(["auto", "none"]))
    return Plan("Run", segments[:-1], laps, variant="run/walk")


def _with_strides(rng: np.random.Generator, a: AthleteProfile, plan: Plan) -> Plan:
    """4-8 strides of 15-25 s after the run, walked or jogged back, and a short jog home."""
    strides: list[Segment] = []
    for _ in range(int(rng.integers(4, 9))):
        strides += [_work(draw(rng, 15, 25), a.threshold_speed * draw(rng, 1.15, 1.35)),
                    _rest(draw(rng, 45, 90), a.easy_speed * draw(rng, 0.5, 0.75))]
    home = [run_segment(draw(rng, 0, 180), a.easy_speed)]
    return replace(plan, segments=[*plan.segments, *strides[:-1], *home], variant="strides")


def recovery(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    return _steady(rng, a, draw(rng, 20, 38) * 60, a.easy_speed * draw(rng, 0.8, 0.88))


def long(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    plan = _steady(rng, a, draw(rng, 95, 150) * 60, a.easy_speed * draw(rng, 0.93, 1.0))
    return replace(plan, workout_type=STRAVA_RUN_LONG if rng.random() < 0.3 else None)


def _steady(rng: np.random.Generator, a: AthleteProfile, seconds: float, speed: float) -> Plan:
    pieces = max(1, int(seconds // 240))
    amplitude = draw(rng, 0, 3) * rng.integers(0, 2)
    grades = amplitude * np.sin(np.arange(pieces) * draw(rng, 0.5, 1.5))
    segments = [(seconds / pieces, speed / float(minetti_factor(np.array(g))), float(g), "run",
                 False) for g in grades]
    return Plan("Run", segments, str(rng.choice(["auto", "auto", "one", "none"])))


def tempo(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    warm = run_segment(draw(rng, 8, 15) * 60, a.easy_speed)
    cool = run_segment(draw(rng, 5, 12) * 60, a.easy_speed * 0.95)
    pace = a.threshold_speed * draw(rng, 0.97, 1.03)
    variant = rng.integers(0, 3)
    if variant == 0:
        main = [_work(draw(rng, 20, 40) * 60, pace)]
    elif variant == 1:
        block = draw(rng, 12, 16) * 60
        main = [_work(block, pace), _rest(draw(rng, 120, 180), a.easy_speed * 0.85),
                _work(block, pace)]
    else:
        steps = np.linspace(a.easy_speed, pace * 1.02, 6)
        main = [_work(draw(rng, 4, 6) * 60, float(s)) for s in steps]
    laps = "manual" if rng.random() < 0.5 else "auto"
    kind = STRAVA_RUN_WORKOUT if rng.random() < 0.3 else None
    return Plan("Run", [warm, *main, cool], laps, kind)


def intervals(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    reps = int(rng.integers(4, 9))
    seconds = draw(rng, 90, 360)
    pace = a.threshold_speed * (1.2 - seconds / 360 * 0.12) * draw(rng, 0.98, 1.02)
    if rng.random() < 0.5:  # distance repeats: 400 m to 1600 m
        seconds = float(rng.choice([400, 800, 1000, 1200, 1600])) / pace
    rest = draw(rng, 60, 180)
    rest_speed = 0.0 if rng.random() < 0.15 else a.easy_speed * draw(rng, 0.7, 0.9)
    return _repeats(rng, a, reps, seconds, pace, rest, rest_speed, "manual")


def sprints(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    reps = int(rng.integers(6, 13))
    pace = a.threshold_speed * draw(rng, 1.35, 1.6)
    rest_speed = 1.4 if rng.random() < 0.5 else a.easy_speed * 0.75
    return _repeats(rng, a, reps, draw(rng, 12, 30), pace, draw(rng, 60, 120), rest_speed, "none")


def _repeats(rng: np.random.Generator, a: AthleteProfile, reps: int, seconds: float,
             pace: float, rest: float, rest_speed: float, laps: str) -> Plan:
    main: list[Segment] = []
    for i in range(reps):
        main += [_work(seconds * draw(rng, 0.97, 1.03), pace * draw(rng, 0.97, 1.03))]
        main += [_rest(rest, rest_speed)] if i < reps - 1 else []
    warm = run_segment(draw(rng, 10, 15) * 60, a.easy_speed)
    cool = run_segment(draw(rng, 8, 12) * 60, a.easy_speed)
    lap_mode = laps if rng.random() < 0.6 else str(rng.choice(["auto", "none"]))
    kind = STRAVA_RUN_WORKOUT if rng.random() < 0.3 else None
    return Plan("Run", [warm, *main, cool], lap_mode, kind)


def hills(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    grade, rise = draw(rng, 5, 9), draw(rng, 15, 35)
    length = rise / grade * 100
    effort = a.threshold_speed * draw(rng, 1.0, 1.1)
    up = effort / float(minetti_factor(np.array(grade)))
    main: list[Segment] = []
    for _ in range(int(rng.integers(4, 11))):
        main += [(length / up, up, grade, "work", True),
                 (length / (a.easy_speed * 0.85), a.easy_speed * 0.85, -grade, "rest", True)]
    warm = run_segment(draw(rng, 10, 15) * 60, a.easy_speed)
    cool = run_segment(draw(rng, 8, 12) * 60, a.easy_speed)
    return Plan("Run", [warm, *main, cool], str(rng.choice(["manual", "auto", "none"])))


def fartlek(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    main: list[Segment] = []
    for _ in range(int(rng.integers(5, 11))):
        main += [_work(float(np.exp(draw(rng, np.log(30), np.log(240)))),
                       a.threshold_speed * draw(rng, 0.95, 1.25)),
                 run_segment(draw(rng, 45, 240), a.easy_speed * draw(rng, 0.95, 1.05))]
    warm = run_segment(draw(rng, 8, 12) * 60, a.easy_speed)
    cool = run_segment(draw(rng, 5, 10) * 60, a.easy_speed)
    return Plan("Run", [warm, *main, cool], str(rng.choice(["auto", "none"])))


def race(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    distance, factor = RACES[int(rng.integers(0, len(RACES)))]
    distance *= draw(rng, 1.003, 1.02)
    pace = a.threshold_speed * factor * draw(rng, 0.98, 1.02)
    segments = [_work(distance / 10 / (pace * f), pace * f) for f in np.linspace(1.01, 0.99, 10)]
    kind = STRAVA_RUN_RACE if rng.random() < 0.5 else None
    return Plan("Run", segments, "auto", kind, race=True)


def strength(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    sport = str(rng.choice(["WeightTraining", "Crossfit"]))
    return Plan(sport, [(draw(rng, 30, 75) * 60, 0.0, 0.0, "gym", False)], "one", outdoor=False)


def cross(rng: np.random.Generator, a: AthleteProfile) -> Plan:
    sport, low, high = [("Ride", 6.0, 9.0), ("Walk", 1.2, 1.6), ("Hike", 0.8, 1.3),
                        ("Swim", 0.6, 0.9), ("Rowing", 3.5, 4.5)][int(rng.integers(0, 5))]
    seconds = draw(rng, 30, 120) * 60
    return Plan(sport, [(seconds, draw(rng, low, high), 0.0, "cross", False)], "one")


def run_segment(seconds: float, speed: float) -> Segment:
    return (seconds, speed, 0.0, "run", True)


def _work(seconds: float, speed: float) -> Segment:
    return (seconds, speed, 0.0, "work", True)


def _rest(seconds: float, speed: float) -> Segment:
    return (seconds, speed, 0.0, "rest" if speed > 0 else "stop", True)


PLANNERS = {
    Workout.EASY: easy, Workout.RECOVERY: recovery, Workout.LONG: long,
    Workout.TEMPO: tempo, Workout.INTERVALS: intervals, Workout.SPRINTS: sprints,
    Workout.HILLS: hills, Workout.FARTLEK: fartlek, Workout.RACE: race,
    Workout.STRENGTH: strength, Workout.CROSS_TRAINING: cross, Workout.OTHER: easy,
}
