"""Banister TRIMP from streams, laps, averages or pace; hard sessions; session records."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.classify import classify
from analysis.load import (
    HARD_TRIMP,
    THRESHOLD_HRR,
    TRIMP_A_MALE,
    TRIMP_B_MALE,
    VERY_LONG_RUN_S,
    held_max_hr,
    is_hard,
    session_record,
    trimp,
    without_heart_rate,
)
from analysis.model import Activity, Classification, Lap, Streams, Workout
from analysis.profile import default_profile
from tests.support import recordings

START = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
PROFILE = default_profile()


def hr_run(hr: np.ndarray, speed: float = 3.0, sport: str = "Run") -> Activity:
    n = hr.size
    streams = Streams(
        time=np.arange(n, dtype=float), distance=np.arange(n) * speed,
        speed=np.full(n, speed), moving=np.ones(n, dtype=bool), heartrate=hr.astype(float))
    return Activity(sport=sport, start=START, elapsed_s=n, moving_s=n, distance_m=n * speed,
                    avg_hr=float(np.nanmean(hr)) if n else None, streams=streams)


def banister(minutes: float, hr: float) -> float:
    hrr = (hr - PROFILE.rest_hr) / (PROFILE.max_hr - PROFILE.rest_hr)
    return minutes * hrr * TRIMP_A_MALE * math.exp(TRIMP_B_MALE * hrr)


def test_stream_trimp_sums_every_second_not_the_average() -> None:
    hr = np.concatenate((np.full(1800, 120.0), np.full(1800, 180.0)))
    expected = banister(30, 120) + banister(30, 180)
    assert trimp(hr_run(hr), PROFILE) == pytest.approx(expected)
    assert expected > banister(60, 150)  # the exponential weighting is why


def test_gaps_in_the_heart_rate_count_at_the_rest_of_the_streams_intensity() -> None:
    hr = np.full(3600, 150.0)
    gappy = hr.copy()
    gappy[100:400] = np.nan
    assert trimp(hr_run(gappy), PROFILE) == pytest.approx(trimp(hr_run(hr), PROFILE))


def test_laps_average_heart_rates_are_used_without_streams() -> None:
    laps = (Lap(0, 600, 600, 1800, avg_hr=130.0), Lap(600, 1200, 1200, 4000, avg_hr=170.0))
    activity = Activity("Run", START, 1800, 1800, 5800, avg_hr=157.0, laps=laps)
    assert trimp(activity, PROFILE) == pytest.approx(banister(10, 130) + banister(20, 170))


def test_session_average_is_used_without_streams_or_lap_heart_rate() -> None:
    activity = Activity("Run", START, 2400, 2400, 8000, avg_hr=150.0)
    assert trimp(activity, PROFILE) == pytest.approx(banister(40, 150))


def test_without_heart_rate_pace_stands_in_relative_to_threshold() -> None:
    at_threshold = Activity("Run", START, 3600, 3600, 3600 * PROFILE.threshold_speed)
    slower = Activity("Run", START, 3600, 3600, 3600 * PROFILE.easy_speed)
    hr_at_threshold = PROFILE.rest_hr + THRESHOLD_HRR * (PROFILE.max_hr - PROFILE.rest_hr)
    assert trimp(at_threshold, PROFILE) == pytest.approx(banister(60, hr_at_threshold))
    assert 0 < trimp(slower, PROFILE) < trimp(at_threshold, PROFILE)


def test_strength_without_heart_rate_is_counted_by_duration() -> None:
    short = Activity("WeightTraining", START, 1800, 1800, 0.0)
    long = Activity("WeightTraining", START, 3600, 3600, 0.0)
    assert trimp(long, PROFILE) == pytest.approx(2 * trimp(short, PROFILE))
    assert trimp(short, PROFILE) > 0


def test_an_activity_without_duration_has_no_load() -> None:
    assert trimp(Activity("Run", START, 0, 0, 0), PROFILE) == 0.0


@settings(max_examples=40, deadline=None)
@given(
    hr=st.lists(st.floats(30, 230), min_size=1, max_size=200),
    extra=st.integers(1, 200),
    bump=st.floats(0, 40),
)
def test_trimp_is_non_negative_and_monotone_in_duration_and_heart_rate(
    hr: list[float], extra: int, bump: float
) -> None:
    base = np.array(hr)
    load = trimp(hr_run(base), PROFILE)
    longer = trimp(hr_run(np.concatenate((base, np.full(extra, base[-1])))), PROFILE)
    harder = trimp(hr_run(base + bump), PROFILE)
    assert load >= 0
    assert longer >= load - 1e-9
    assert harder >= load - 1e-9


def test_quality_sessions_and_big_loads_are_hard_easy_small_ones_are_not() -> None:
    run = Activity("Run", START, 3600, 3600, 10000)
    tempo = Classification(Workout.TEMPO, 0.9, "")
    easy = Classification(Workout.EASY, 0.9, "")
    assert is_hard(run, tempo, 10.0, PROFILE)
    assert not is_hard(run, easy, HARD_TRIMP - 1, PROFILE)
    assert is_hard(run, easy, HARD_TRIMP, PROFILE)


def test_a_very_long_run_is_hard_whatever_its_label_and_load() -> None:
    easy = Classification(Workout.EASY, 0.9, "")
    long_run = Activity("Run", START, VERY_LONG_RUN_S, VERY_LONG_RUN_S, 20000)
    assert is_hard(long_run, easy, 10.0, PROFILE)
    ride = Activity("Ride", START, VERY_LONG_RUN_S, VERY_LONG_RUN_S, 60000)
    assert not is_hard(ride, Classification(Workout.CROSS_TRAINING, 0.9, ""), 10.0, PROFILE)


def test_session_record_carries_the_load_and_the_label() -> None:
    # a heart rate that moves as a heart's does: one held flat for minutes is set aside
    activity = hr_run(160.0 + np.round(2.0 * np.sin(np.arange(3000) / 60.0)))
    label = Classification(Workout.EASY, 0.7, "steady")
    record = session_record(activity, label, PROFILE, activity_id=42)
    assert record.load == pytest.approx(trimp(activity, PROFILE))
    assert (record.workout, record.activity_id, record.distance_m) == (
        Workout.EASY, 42, activity.distance_m)
    assert record.hard == (record.load >= HARD_TRIMP)


HISTORY = Path(__file__).resolve().parents[1] / "data" / "history" / "runpandas-athlete"


def _recording(name: str) -> Activity:
    return recordings.activity(HISTORY / name)


def test_a_heart_rate_set_aside_makes_neither_the_load_nor_a_hard_session() -> None:
    # 52 min at 6:21/km with an optical sensor reading 177 bpm all the way.
    run = _recording("00978fad-85f8-4f1c-be44-2b7146ccbf76.gpx.gz")
    assert "heart rate set aside" in classify(run, PROFILE).evidence
    assert trimp(run, PROFILE) >= HARD_TRIMP
    record = session_record(run, classify(run, PROFILE), PROFILE)
    assert record.load == pytest.approx(trimp(without_heart_rate(run), PROFILE))
    assert not record.hard and record.avg_hr is None and record.max_hr is None


def test_a_spike_of_a_few_samples_is_not_the_sessions_maximum_heart_rate() -> None:
    run = _recording("0c97d8a7-8081-4609-b92c-5932468d7b8e.gpx.gz")
    assert run.streams is not None and run.streams.heartrate is not None
    hr = run.streams.heartrate.copy()
    held = held_max_hr(run)
    hr[1000:1003] = 223.0
    spiked = replace(run, max_hr=223.0, streams=replace(run.streams, heartrate=hr))
    assert held is not None and held < 200
    record = session_record(spiked, classify(spiked, PROFILE), PROFILE)
    assert record.max_hr == held
