"""Sprints are far faster than the running between them. A 10 km road race at 4:25/km
without heart rate, whose GPS swung to 3:19-3:39/km seven times for 15-55 s in its first half,
read as "7 x 15 s-55 s at 3:19-3:39/km, 1:30 min jog recoveries", sprints (tests/data/
blind-2026-12z): swings 1.36 times the running around them. Sprint sets beat their jog 1.8
times or more."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.classify import classify
from analysis.model import Activity, Streams, Workout
from analysis.parsers.summary import activity_from_streams

START = datetime(2026, 3, 31, 13, 0, tzinfo=UTC)


def run_with_swings(pace: float, swings: list[tuple[float, float, float]],
                    minutes: float = 44.0) -> Activity:
    """``minutes`` at ``pace`` (s/km) on the flat, without heart rate, but for ``swings`` of
    (at second, lasting seconds, pace) faster."""
    seconds = round(minutes * 60)
    v = np.full(seconds, 1000.0 / pace)
    for at, lasting, faster in swings:
        v[round(at):round(at + lasting)] = 1000.0 / faster
    streams = Streams(time=np.arange(seconds, dtype=np.float64),
                      distance=np.concatenate(([0.0], np.cumsum(v[1:]))), speed=v,
                      moving=np.ones(seconds, dtype=bool), altitude=np.full(seconds, 3.0))
    return activity_from_streams("Run", START, streams)


def test_five_swings_40_percent_faster_than_a_run_at_4_00_are_no_sprints() -> None:
    # read as "5 x 15 s-25 s at 2:55-2:57/km, 3 min jog recoveries", sprints
    swings = [(300.0 + 200.0 * i, length, 240.0 / 1.4)
              for i, length in enumerate([15.0, 15.0, 25.0, 25.0, 25.0])]
    result = classify(run_with_swings(240.0, swings))
    assert result.workout is not Workout.SPRINTS, result.evidence


def test_sprints_half_again_as_fast_as_their_jog_are_sprints() -> None:
    """12 min jogged at 5:30/km, 8 x 20 s at 3:20/km on 90 s jogs, 10 min jogged."""
    v = [np.full(720, 1000.0 / 330.0)]
    for i in range(8):
        v += [np.full(20, 1000.0 / 200.0)] + ([np.full(90, 1000.0 / 330.0)] if i < 7 else [])
    v.append(np.full(600, 1000.0 / 330.0))
    speed = np.concatenate(v)
    streams = Streams(time=np.arange(speed.size, dtype=np.float64),
                      distance=np.concatenate(([0.0], np.cumsum(speed[1:]))), speed=speed,
                      moving=np.ones(speed.size, dtype=bool), altitude=np.full(speed.size, 3.0))
    result = classify(activity_from_streams("Run", START, streams))
    assert result.workout is Workout.SPRINTS, result.evidence


@settings(max_examples=25, deadline=None)
@given(st.floats(240.0, 330.0), st.floats(1.2, 1.4),
       st.lists(st.floats(15.0, 40.0), min_size=5, max_size=9))
def test_swings_well_under_half_again_the_running_pace_are_never_sprints(
    pace: float, faster: float, lengths: list[float],
) -> None:
    swings = [(300.0 + 200.0 * i, length, pace / faster) for i, length in enumerate(lengths)]
    result = classify(run_with_swings(pace, swings))
    assert result.workout is not Workout.SPRINTS, result.evidence
