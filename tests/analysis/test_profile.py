"""Athlete profiles from history: population defaults, estimates, given values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.model import SessionRecord, Workout
from analysis.profile import (
    LONG_FACTOR,
    MIN_HR_SESSIONS,
    MIN_RUNS_FOR_PACE,
    THRESHOLD_OVER_EASY,
    build_profile,
    default_profile,
)

START = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)


def run(day: int, km: float, minutes: float, max_hr: float | None = 170.0,
        workout: Workout = Workout.EASY, sport: str = "Run") -> SessionRecord:
    return SessionRecord(
        start=START + timedelta(days=day), sport=sport, workout=workout,
        distance_m=km * 1000, moving_s=minutes * 60, load=50.0, hard=False, max_hr=max_hr)


def test_empty_history_gives_the_population_defaults_and_says_so() -> None:
    profile = build_profile([])
    assert profile == default_profile()
    assert (profile.hr_source, profile.pace_source, profile.runs_seen) == (
        "defaults", "defaults", 0)


def test_paces_and_distances_come_from_the_athletes_runs() -> None:
    distances = [8.0, 10.0, 12.0, 9.0, 11.0]
    history = [run(i, km, km * 5.5) for i, km in enumerate(distances)]
    profile = build_profile(history)
    assert profile.pace_source == "history"
    assert profile.typical_run_m == pytest.approx(np.median(distances) * 1000)
    assert profile.long_run_m == pytest.approx(LONG_FACTOR * profile.typical_run_m)
    assert profile.easy_speed == pytest.approx(1000 / 330)
    assert profile.threshold_speed >= THRESHOLD_OVER_EASY * profile.easy_speed


def test_quality_sessions_raise_the_threshold_but_not_the_easy_pace() -> None:
    easy = [run(i, 10.0, 60.0) for i in range(MIN_RUNS_FOR_PACE)]
    fast = [run(10 + i, 10.0, 38.0, workout=Workout.RACE) for i in range(3)]
    profile = build_profile(easy + fast)
    assert profile.easy_speed == pytest.approx(10000 / 3600)
    assert profile.threshold_speed > THRESHOLD_OVER_EASY * profile.easy_speed


def test_glitches_and_other_sports_do_not_count_as_runs() -> None:
    runs = [run(i, 10.0, 60.0) for i in range(MIN_RUNS_FOR_PACE)]
    glitches = [run(20, 22.0, 48.0), run(21, 5.0, 1437.0), run(22, 50.0, 120.0, sport="Ride")]
    profile = build_profile(runs + glitches)
    assert profile.runs_seen == len(runs)
    assert profile.typical_run_m == pytest.approx(10000)


def test_max_hr_is_a_high_percentile_of_what_the_athlete_reached() -> None:
    maxima = [160.0, 175.0, 182.0, 185.0, 178.0, 170.0, 240.0]
    profile = build_profile([run(i, 8.0, 48.0, max_hr=hr) for i, hr in enumerate(maxima)])
    plausible = [hr for hr in maxima if hr <= 230]
    assert profile.hr_source == "history"
    assert max(plausible) - 3 <= profile.max_hr <= max(plausible)


def test_too_few_heart_rates_keep_the_default_maximum() -> None:
    history = [run(i, 8.0, 48.0, max_hr=150.0) for i in range(MIN_HR_SESSIONS - 1)]
    assert build_profile(history).max_hr == default_profile().max_hr


def test_given_heart_rates_win_over_estimates() -> None:
    history = [run(i, 8.0, 48.0, max_hr=170.0) for i in range(10)]
    profile = build_profile(history, max_hr=196.0, rest_hr=44.0)
    assert (profile.max_hr, profile.rest_hr, profile.hr_source) == (196.0, 44.0, "given")
