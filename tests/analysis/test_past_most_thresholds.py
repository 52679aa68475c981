"""Without a run history, a run faster than the population's threshold pace is no easy run for
most runners. Seven labelled runs of the blind batches (a 3 km race at 3:36/km, 5 km races at
3:46 and 4:24/km, a 10 km at 4:24/km, two 3.5 km efforts at 4:10-4:15/km, 3.3 km at 3:38/km)
read as easy runs, their heart rate, where there was one, at 74-85 % of an assumed maximum;
of the labelled runs of an hour or less faster than 4:30/km, none is an easy run. With the
athlete's own paces, their own easy pace decides."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import rules, segments
from analysis.classify import classify, classify_summary
from analysis.evidence import Case
from analysis.model import Activity, Streams, Workout
from analysis.parsers.summary import activity_from_streams
from analysis.profile import DEFAULT_THRESHOLD_SPEED, AthleteProfile, default_profile

START = datetime(2026, 7, 3, 18, 0, tzinfo=UTC)


def steady_run(pace_s_per_km: float, minutes: float, heart: tuple[float, float] | None = None
               ) -> Activity:
    """``minutes`` at one pace on the flat, without a stop; heart rate rising from
    ``heart[0]`` to ``heart[1]`` when given."""
    seconds = round(minutes * 60)
    speed = np.full(seconds, 1000.0 / pace_s_per_km)
    distance = np.concatenate(([0.0], np.cumsum(speed[1:])))
    hr = np.linspace(*heart, seconds) if heart is not None else None
    streams = Streams(time=np.arange(seconds, dtype=np.float64), distance=distance, speed=speed,
                      moving=np.ones(seconds, dtype=bool), heartrate=hr,
                      altitude=np.full(seconds, 15.0))
    return activity_from_streams("Run", START, streams)


def own(easy_s_per_km: float, threshold_s_per_km: float) -> AthleteProfile:
    """An athlete whose history gave their own paces."""
    return replace(default_profile(), pace_source="history",
                   easy_speed=1000.0 / easy_s_per_km, threshold_speed=1000.0 / threshold_s_per_km)


def test_a_3_km_at_3_36_without_history_is_no_easy_run_whatever_a_lagging_heart_rate_says(
        ) -> None:
    # the blind batch's 3 km race: wrist heart rate 115 at the gun, 167 at the end
    result = classify(steady_run(216.0, 11.0, heart=(115.0, 167.0)))
    assert result.workout is Workout.TEMPO, result.evidence
    assert "threshold pace (4:30/km)" in result.evidence


def test_4_5_km_at_4_24_without_heart_rate_or_history_is_a_tempo() -> None:
    result = classify(steady_run(264.0, 20.0))
    assert result.workout is Workout.TEMPO, result.evidence


def test_with_the_athletes_own_paces_the_same_run_is_their_easy_run() -> None:
    """A runner whose easy pace is 3:40/km ran an easy 3 km: their history says so."""
    result = classify(steady_run(216.0, 11.0), own(220.0, 180.0))
    assert result.workout is Workout.EASY, result.evidence


def test_slower_than_the_population_threshold_stays_easy() -> None:
    result = classify(steady_run(300.0, 30.0))
    assert result.workout is Workout.EASY, result.evidence


@settings(max_examples=60, deadline=None)
@given(pace=st.floats(200.0, 330.0), minutes=st.floats(9.0, 80.0))
def test_without_history_the_rule_holds_exactly_the_runs_past_the_threshold(
        pace: float, minutes: float) -> None:
    activity = steady_run(pace, minutes)
    profile = default_profile()
    fast = activity.speed >= DEFAULT_THRESHOLD_SPEED
    short = activity.moving_s < profile.long_run_s
    features = segments.from_streams(activity, profile)
    assert features is not None
    found = rules.past_most_thresholds(Case(activity, profile, features))
    assert (found is not None) == (fast and short)
    if found is not None:
        assert found.workout is Workout.TEMPO


def test_from_its_laps_alone_such_a_run_is_not_decided_and_its_streams_are_read() -> None:
    """The average pace says tempo; a race run hard from the gun or repeats inside the laps
    show only in the streams, so the worker's summary verdict leaves it open (a half
    marathon at 4:09/km read from its laps as a tempo, tests/data/blind-2026-12v)."""
    verdict = classify_summary(steady_run(216.0, 11.0))
    assert verdict.classification.workout is Workout.TEMPO
    assert not verdict.decided, verdict.reason
