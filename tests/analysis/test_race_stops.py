"""A race is run through: an even hard run with minutes standing still is training with
stops, except where races stop at aid stations (issue 20)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.claims import BREAK_S
from analysis.classify import classify
from analysis.model import Activity, Streams, Workout
from tests.support.runs import THRESHOLD, session

SPEED = 1.05 * THRESHOLD


def even_race() -> Activity:
    return session([(10050 / SPEED, SPEED, 0.0)], heart=False)


def standing(activity: Activity, at_s: int, still_s: int) -> Activity:
    """``activity`` with a standstill of ``still_s`` seconds ``at_s`` seconds in."""
    s = activity.streams
    assert s is not None
    index = np.concatenate((np.arange(at_s), np.full(still_s, at_s - 1),
                            np.arange(at_s, len(s))))
    still = np.zeros(index.size, dtype=bool)
    still[at_s:at_s + still_s] = True
    streams = Streams(np.arange(index.size, dtype=float), s.distance[index],
                      np.where(still, 0.0, s.speed[index]), ~still,
                      None if s.heartrate is None else s.heartrate[index],
                      None if s.altitude is None else s.altitude[index])
    return replace(activity, streams=streams, elapsed_s=float(index.size))


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0.05, max_value=0.95), st.integers(int(BREAK_S), 600))
def test_an_even_hard_run_standing_still_a_minute_or_more_is_no_race(
    where: float, still_s: int
) -> None:
    race = even_race()
    assert classify(race).workout is Workout.RACE
    stopped = standing(race, int(where * race.elapsed_s), still_s)
    assert classify(stopped).workout is not Workout.RACE


@settings(max_examples=10, deadline=None)
@given(st.floats(min_value=0.05, max_value=0.95), st.integers(1, int(BREAK_S) - 20))
def test_a_pause_of_seconds_at_a_drinks_table_leaves_a_race_a_race(
    where: float, still_s: int
) -> None:
    race = even_race()
    assert classify(standing(race, int(where * race.elapsed_s), still_s)).workout \
        is Workout.RACE


def test_a_trail_race_may_stand_at_its_aid_stations() -> None:
    trail = replace(even_race(), sport="TrailRun")
    assert classify(trail).workout is Workout.RACE
    stopped = standing(trail, int(trail.elapsed_s / 2), 240)
    assert classify(stopped).workout is Workout.RACE
    assert classify(replace(stopped, sport="Run")).workout is not Workout.RACE
