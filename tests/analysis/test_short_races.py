"""A run of 1.5 km or more in under five minutes is run at 3:20/km or faster, quicker than
anyone's warm-up: a track race or a time trial. A mile race in 4:46 read as "run of 4 min: too
short to judge" (tests/data/blind-2026-12z). Shorter runs stay unjudged, and a speed no runner
reaches stays a glitch."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analysis.classify import MIN_RUN_M, MIN_RUN_S, classify, classify_summary
from analysis.model import Activity, Streams, Workout
from analysis.parsers.summary import activity_from_streams

START = datetime(2026, 6, 6, 10, 0, tzinfo=UTC)


def run(metres: float, seconds: int) -> Activity:
    """``metres`` at an even pace in ``seconds``, on the flat, without heart rate."""
    speed = np.full(seconds + 1, metres / seconds)
    streams = Streams(time=np.arange(seconds + 1, dtype=np.float64),
                      distance=np.arange(seconds + 1) * metres / seconds, speed=speed,
                      moving=np.ones(seconds + 1, dtype=bool), altitude=np.full(seconds + 1, 5.0))
    return activity_from_streams("Run", START, streams)


def test_a_mile_in_4_46_is_a_race_timed_to_the_second() -> None:
    result = classify(run(1609.0, 286))
    assert result.workout is Workout.RACE, result.evidence
    assert result.evidence.startswith("1.6 km in 4:46 at 2:58/km")


def test_the_live_path_decides_it_from_the_summary_alone() -> None:
    verdict = classify_summary(run(1609.0, 286))
    assert verdict.decided and verdict.classification.workout is Workout.RACE


def test_a_kilometre_in_four_minutes_is_still_too_short_to_judge() -> None:
    result = classify(run(1000.0, 240))
    assert result.workout is Workout.OTHER and "too short to judge" in result.evidence


def test_a_mile_in_two_minutes_is_a_glitch_not_a_race() -> None:
    result = classify(run(1609.0, 120))
    assert result.workout is not Workout.RACE, result.evidence


@settings(max_examples=30, deadline=None)
@given(st.floats(MIN_RUN_M, 1800.0), st.floats(170.0, 199.0))
def test_every_run_of_the_metric_mile_under_five_minutes_slower_than_records_is_a_race(
    metres: float, pace: float,
) -> None:
    """At 2:50/km or slower: the 10 km world record (2:37/km) is the plausibility rules' line
    between a runner and a ride for a kilometre or more."""
    seconds = int(metres * pace / 1000.0)
    assume(seconds < MIN_RUN_S)
    result = classify(run(metres, seconds))
    assert result.workout is Workout.RACE, result.evidence


@settings(max_examples=30, deadline=None)
@given(st.floats(100.0, MIN_RUN_M - 1.0), st.integers(30, int(MIN_RUN_S) - 1))
def test_no_run_short_of_the_metric_mile_under_five_minutes_is_judged(
    metres: float, seconds: int,
) -> None:
    assert classify(run(metres, seconds)).workout is Workout.OTHER
