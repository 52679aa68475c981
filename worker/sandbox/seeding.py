"""Sample activities for the sandbox's athletes: single workouts and weeks of history."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from analysis.model import Activity, Workout
from analysis.profile import AthleteProfile
from analysis.synthetic import generate
from analysis.synthetic_plans import random_athlete

#: A recreational runner's week (Monday first): rest, quality, easy, strength, easy or hills,
#: long, ride; the shape most club plans give (quality mid-week, long at the weekend).
WEEK_PLAN: tuple[Workout | None, ...] = (
    None, Workout.INTERVALS, Workout.EASY, Workout.STRENGTH, Workout.EASY, Workout.LONG,
    Workout.CROSS_TRAINING,
)
#: The Tuesday session rotates through these, one per week, for variety.
QUALITY_ROTATION = (Workout.INTERVALS, Workout.TEMPO, Workout.SPRINTS, Workout.FARTLEK)
#: Every other Friday the easy run becomes hill repeats.
HILLS_EVERY_WEEKS = 2
#: Chance that a planned session is skipped: life happens about one day a week in seven.
SKIP_CHANCE = 0.15
#: Sessions start around 09:30 UTC (06:30 in São Paulo), give or take an hour.
START_HOUR_UTC = 9.5
START_SPREAD_H = 1.0
#: Mixed with the athlete id to seed each sandbox athlete's physiology.
PHYSIOLOGY_SEED = 20_261_124


def history_plan(days: int, today: datetime, rng: np.random.Generator) -> list[tuple[Workout,
                                                                                    datetime]]:
    """The workouts and start times of the ``days`` days before ``today`` (UTC)."""
    midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
    plan: list[tuple[Workout, datetime]] = []
    for back in range(days, 0, -1):
        day = midnight - timedelta(days=back)
        workout = _planned(day)
        if workout is None or rng.random() < SKIP_CHANCE:
            continue
        hours = START_HOUR_UTC + rng.uniform(-START_SPREAD_H, START_SPREAD_H)
        plan.append((workout, day + timedelta(hours=hours)))
    return plan


def physiology(athlete_id: int) -> AthleteProfile:
    """The sandbox athlete's body: one max and resting heart rate, one set of paces, the same
    in every activity they record, as a real athlete's are."""
    return random_athlete(np.random.default_rng([PHYSIOLOGY_SEED, athlete_id]))


def generate_activity(workout: Workout, rng: np.random.Generator, start: datetime,
                      athlete_id: int, manual: bool = False) -> Activity:
    """One synthetic activity of the athlete's, with streams when the kind records them
    (none when ``manual``: entered by hand)."""
    return generate(workout, rng, start, physiology(athlete_id), manual=manual)


def _planned(day: datetime) -> Workout | None:
    week = day.isocalendar().week
    planned = WEEK_PLAN[day.weekday()]
    if planned is Workout.INTERVALS:
        return QUALITY_ROTATION[week % len(QUALITY_ROTATION)]
    if day.weekday() == 4 and week % HILLS_EVERY_WEEKS == 0:
        return Workout.HILLS
    return planned
