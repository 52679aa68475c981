"""A heart rate that reads one value for minutes of running is a recording repeating its last
reading, not a heart: it is set aside, the evidence says why, and nothing is read from it
(tests/data/blind-2026-12t: a club fartlek whose GPX holds 179 bpm for 15:40 min read as
"29 min continuous at 88-94 % of max HR", a tempo)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import segments
from analysis.classify import classify
from analysis.load import session_record
from analysis.model import Activity, Classification, Streams, Workout
from analysis.parsers.summary import activity_from_streams
from analysis.plausibility import HELD_READING_S, HeartRateDoubt
from analysis.profile import default_profile
from analysis.voice import Voice

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
MINUTES = 40


def run(held_from: int, held_s: int, value: float = 178.0) -> Activity:
    """40 min at an easy 5:30/km whose heart rate wanders around 150 as a heart's does, but
    reads ``value`` without a change for ``held_s`` seconds from ``held_from``."""
    n = MINUTES * 60
    time = np.arange(n, dtype=np.float64)
    rng = np.random.default_rng(7)
    heartrate = np.round(150.0 + 6.0 * np.sin(time / 90.0) + rng.normal(0.0, 1.5, n))
    heartrate[held_from:held_from + held_s] = value
    speed = np.full(n, 1000.0 / 330.0)
    streams = Streams(time=time, distance=np.cumsum(speed) - speed[0], speed=speed,
                      moving=np.ones(n, dtype=bool), heartrate=heartrate)
    return activity_from_streams("Run", START, streams)


def doubt_of(activity: Activity) -> HeartRateDoubt | None:
    features = segments.from_streams(activity, default_profile())
    assert features is not None
    return features.hr_doubt


def test_a_strap_that_repeats_178_for_16_min_is_set_aside_and_said_so() -> None:
    activity = run(held_from=600, held_s=16 * 60)
    assert doubt_of(activity) == HeartRateDoubt(bpm=178.0, held_s=16 * 60.0)
    result = classify(activity)
    assert result.workout != "tempo"
    assert result.evidence.endswith(
        "heart rate set aside: it read 178 bpm for 16 min without a change, a sensor that lost "
        "contact")
    assert "% of max" not in result.evidence


def test_without_figures_the_reason_names_no_bpm() -> None:
    evidence = classify(run(held_from=600, held_s=16 * 60), voice=Voice(numbers=False)).evidence
    assert "it held one reading for minutes on end" in evidence and "178" not in evidence


def test_a_reading_held_under_five_minutes_is_a_heart_and_is_kept() -> None:
    assert doubt_of(run(held_from=600, held_s=HELD_READING_S - 60)) is None


def test_a_reading_held_while_standing_still_is_not_held_running() -> None:
    activity = run(held_from=600, held_s=16 * 60)
    assert activity.streams is not None
    moving = activity.streams.moving.copy()
    moving[600:600 + 16 * 60:120] = False  # a step off every 2 min: no 5 min of running held
    streams = Streams(time=activity.streams.time, distance=activity.streams.distance,
                      speed=activity.streams.speed, moving=moving,
                      heartrate=activity.streams.heartrate)
    assert doubt_of(activity_from_streams("Run", START, streams)) is None


@settings(max_examples=40, deadline=None)
@given(start=st.integers(0, MINUTES * 60 - HELD_READING_S), held=st.integers(0, 20 * 60))
def test_a_doubt_is_raised_exactly_when_a_reading_is_held_five_minutes(start: int,
                                                                        held: int) -> None:
    held = min(held, MINUTES * 60 - start)
    doubt = doubt_of(run(held_from=start, held_s=held))
    if held >= HELD_READING_S:
        assert doubt is not None and doubt.held_s == pytest.approx(held, abs=2)
    else:
        assert doubt is None


def test_a_held_reading_gives_the_load_of_the_pace_not_of_the_reading() -> None:
    # One stance on the heart rate for the whole block: set aside for the label, set aside
    # for the load too.
    held = run(held_from=0, held_s=MINUTES * 60, value=185.0)
    assert held.streams is not None
    without = replace(held, avg_hr=None, max_hr=None,
                      streams=replace(held.streams, heartrate=None))
    label = Classification(Workout.EASY, 0.5, "")
    profile = default_profile()
    assert session_record(held, label, profile).load == session_record(
        without, label, profile).load
