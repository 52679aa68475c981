"""Reps of half a minute or more on recoveries no longer than themselves are interval work,
not sprints: 2 x 10 x 200 m in 41-54 s on 40 s recoveries read as "20 x 20 s-45 s ...
sprints" (tests/data/blind-2026-12z). Sprints and strides, which rest fully, stay sprints."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.classify import classify
from analysis.model import Activity, Classification, Streams, Workout
from analysis.parsers.summary import activity_from_streams

START = datetime(2026, 9, 2, 17, 0, tzinfo=UTC)
#: The warm-up's and cool-down's jog (5:20/km) and a walk (13:20/km), in m/s.
JOG, WALK = 1000.0 / 320.0, 1000.0 / 800.0


def session(reps: list[tuple[float, float]], rests: list[float],
            rest_speed: float = WALK) -> Activity:
    """15 min jogged, the ``reps`` as (seconds, pace in s/km) each followed by the rest
    ``rests[i]`` (s) at ``rest_speed``, then 10 min jogged; flat, no heart rate."""
    speed = [np.full(15 * 60, JOG)]
    for i, (seconds, pace) in enumerate(reps):
        speed.append(np.full(round(seconds), 1000.0 / pace))
        if i < len(reps) - 1:
            speed.append(np.full(round(rests[i]), rest_speed))
    speed.append(np.full(10 * 60, JOG))
    v = np.concatenate(speed)
    streams = Streams(time=np.arange(v.size, dtype=np.float64),
                      distance=np.concatenate(([0.0], np.cumsum(v[1:]))), speed=v,
                      moving=np.ones(v.size, dtype=bool), altitude=np.full(v.size, 20.0))
    return activity_from_streams("Run", START, streams)


def test_two_sets_of_ten_200s_on_40_s_walks_are_intervals() -> None:
    paces = [215.0, 205.0, 220.0, 210.0, 200.0, 218.0, 208.0, 212.0, 204.0, 216.0]
    reps = [(200.0 * p / 1000.0, p) for p in paces * 2]
    rests = [40.0] * 9 + [120.0] + [40.0] * 9
    result = classify(session(reps, rests))
    assert result.workout is Workout.INTERVALS, result.evidence


def test_eight_20_s_sprints_on_90_s_walks_stay_sprints() -> None:
    result = classify(session([(20.0, 180.0)] * 8, [90.0] * 7))
    assert result.workout is Workout.SPRINTS, result.evidence


def evenly(count: int, seconds: float, rest_share: float, pace: float) -> Classification:
    """The classification of ``count`` reps of ``seconds`` at ``pace`` (s/km), each rest walked for
    ``rest_share`` of a rep."""
    reps, rests = [(seconds, pace)] * count, [rest_share * seconds] * (count - 1)
    return classify(session(reps, rests))


@settings(max_examples=25, deadline=None)
@given(st.integers(8, 16), st.floats(36.0, 55.0), st.floats(0.6, 1.1), st.floats(195.0, 225.0))
def test_reps_of_half_a_minute_and_more_on_rests_no_longer_are_never_sprints(
    count: int, seconds: float, rest_share: float, pace: float,
) -> None:
    result = evenly(count, seconds, rest_share, pace)
    assert result.workout is not Workout.SPRINTS, result.evidence


@settings(max_examples=25, deadline=None)
@given(st.integers(6, 12), st.floats(15.0, 25.0), st.floats(3.0, 6.0), st.floats(165.0, 190.0))
def test_short_sprints_resting_several_times_their_length_are_sprints(
    count: int, seconds: float, rest_share: float, pace: float,
) -> None:
    result = evenly(count, seconds, rest_share, pace)
    assert result.workout is Workout.SPRINTS, result.evidence
