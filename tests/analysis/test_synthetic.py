"""The synthetic generator: realistic recordings, and the classifier's score on them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.classify import classify
from analysis.model import QUALITY_WORKOUTS, Activity, Workout, is_run
from analysis.profile import default_profile
from analysis.synthetic import generate, labelled_set

START = datetime(2024, 1, 1, 7, 0, tzinfo=UTC)
#: Activities per label in the scored set: enough for every variant of every plan.
PER_LABEL = 15


def macro_f1(truth: list[Workout], predicted: list[Workout]) -> float:
    scores = []
    for label in Workout:
        tp = sum(t == p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(p == label != t for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label != p for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


@pytest.fixture(scope="module")
def scored() -> list[tuple[Workout, Activity]]:
    return labelled_set(PER_LABEL, seed=20240601, start=START)


def test_labelled_set_holds_every_label_equally(scored: list[tuple[Workout, Activity]]) -> None:
    labels = [label for label, _ in scored]
    assert {labels.count(label) for label in Workout} == {PER_LABEL}


def test_classifier_macro_f1_on_the_labelled_set_is_at_least_0_9(
    scored: list[tuple[Workout, Activity]],
) -> None:
    truth = [label for label, _ in scored]
    predicted = [classify(activity).workout for _, activity in scored]
    assert macro_f1(truth, predicted) >= 0.9


def test_macro_f1_punishes_a_classifier_that_always_says_easy() -> None:
    truth = list(Workout)
    assert macro_f1(truth, [Workout.EASY] * len(truth)) < 0.2


def test_the_same_seed_gives_the_same_set() -> None:
    first = labelled_set(1, seed=5, start=START)
    second = labelled_set(1, seed=5, start=START)
    assert [a.distance_m for _, a in first] == [a.distance_m for _, a in second]


def test_streams_are_consistent_1_hz_recordings(scored: list[tuple[Workout, Activity]]) -> None:
    for _, activity in scored:
        s = activity.streams
        if s is None:
            continue
        lengths = {len(x) for x in (s.time, s.distance, s.speed, s.moving,
                                    s.heartrate, s.altitude, s.cadence) if x is not None}
        assert lengths == {len(s)}
        assert np.all(np.diff(s.time) == 1)
        assert np.all(np.diff(s.distance) >= 0)


def test_runs_carry_strava_like_kilometre_splits_and_device_laps() -> None:
    rng = np.random.default_rng(3)
    runs = [generate(Workout.EASY, rng, START) for _ in range(20)]
    recorded = [r for r in runs if r.streams is not None]
    for run in recorded:
        full = [s for s in run.splits[:-1]]
        assert all(abs(s.distance_m - 1000) < 15 for s in full)
        assert sum(s.distance_m for s in run.splits) == pytest.approx(run.distance_m, abs=1)
    lap_counts = {len(r.laps) for r in recorded}
    assert 0 in lap_counts and max(lap_counts) > 1  # some devices record no laps


def test_interval_sessions_usually_come_with_manual_laps_per_repeat() -> None:
    rng = np.random.default_rng(11)
    sessions = [generate(Workout.INTERVALS, rng, START) for _ in range(12)]
    alternating = [s for s in sessions if len(s.laps) >= 7
                   and len({round(lap.distance_m, -3) for lap in s.laps}) > 1]
    assert len(alternating) >= 4


def test_heart_rate_lags_behind_a_change_of_pace() -> None:
    rng = np.random.default_rng(1)
    profile = default_profile()
    for _ in range(10):
        activity = generate(Workout.INTERVALS, rng, START, profile)
        s = activity.streams
        if s is not None and s.heartrate is not None:
            break
    assert s is not None and s.heartrate is not None
    hr = s.heartrate.copy()
    gaps = np.isnan(hr)
    hr[gaps] = np.interp(np.flatnonzero(gaps), np.flatnonzero(~gaps), hr[~gaps])
    pace = np.convolve(s.speed, np.ones(20) / 20, mode="same")
    jump = int(np.argmax(pace[30:-120] - pace[:-150])) + 30  # largest step up in pace
    before, soon = hr[jump - 20:jump].mean(), hr[jump:jump + 5].mean()
    after = hr[jump + 60:jump + 90].mean()
    assert after > before + 10
    assert soon - before < (after - before) / 2


def test_strength_sessions_have_no_distance_and_no_gps() -> None:
    rng = np.random.default_rng(2)
    for _ in range(10):
        activity = generate(Workout.STRENGTH, rng, START)
        assert activity.sport in {"WeightTraining", "Crossfit", "Workout"}
        assert activity.distance_m == 0
        assert activity.streams is None or not np.any(activity.streams.speed)


def test_without_streams_the_summary_and_laps_are_kept() -> None:
    rng_a, rng_b = np.random.default_rng(4), np.random.default_rng(4)
    full = generate(Workout.TEMPO, rng_a, START)
    bare = generate(Workout.TEMPO, rng_b, START, with_streams=False)
    assert bare.streams is None
    assert (bare.distance_m, bare.laps, bare.splits) == (full.distance_m, full.laps, full.splits)


@settings(max_examples=24, deadline=None)
@given(label=st.sampled_from(list(Workout)), seed=st.integers(0, 2**32 - 1))
def test_every_generated_activity_is_plausible(label: Workout, seed: int) -> None:
    activity = generate(label, np.random.default_rng(seed), START)
    assert activity.moving_s <= activity.elapsed_s + 1e-9
    assert activity.distance_m >= 0
    if activity.manual:
        assert activity.streams is None and activity.laps == ()
    if is_run(activity.sport) and label is not Workout.OTHER:
        assert 1.2 < activity.speed < 7.0


def _easy_runs(variant: str, count: int, phone: bool | None = None) -> list[Activity]:
    """Easy runs of one trap variant ("" for any), each by a random athlete."""
    rng = np.random.default_rng(sum(map(ord, variant)) + 7)
    found: list[Activity] = []
    while len(found) < count:
        run = generate(Workout.EASY, rng, START, default_profile(), phone=phone)
        if run.streams is not None and variant in run.name:
            found.append(run)
    return found


def test_phone_gps_swings_on_easy_runs_are_not_read_as_workouts() -> None:
    for run in _easy_runs("", 12, phone=True):
        assert "phone" in run.name
        result = classify(run)
        assert result.workout not in QUALITY_WORKOUTS, (run.name, result.evidence)


def test_run_walk_is_an_easy_run_not_sprints_or_fartlek() -> None:
    for run in _easy_runs("run/walk", 8):
        result = classify(run)
        assert result.workout not in QUALITY_WORKOUTS, (run.name, result.evidence)


def test_strides_at_the_end_of_an_easy_run_keep_it_easy_and_are_named() -> None:
    runs = _easy_runs("strides", 8, phone=False)
    results = [classify(run) for run in runs]
    assert all(r.workout not in QUALITY_WORKOUTS for r in results), [r.evidence for r in results]
    assert sum("strides" in r.evidence for r in results) >= len(runs) - 1


def test_phone_recordings_wander_more_than_watch_recordings() -> None:
    def wander(run: Activity) -> float:
        assert run.streams is not None
        return float(np.std(np.diff(run.streams.speed)))

    phone = [wander(r) for r in _easy_runs("", 5, phone=True)]
    watch = [wander(r) for r in _easy_runs("", 5, phone=False)]
    assert min(phone) > max(watch)
