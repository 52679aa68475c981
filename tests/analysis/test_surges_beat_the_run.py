"""A fartlek's surges are faster than the run around them. Where the "surges" are no faster
over the ground than the session's own running, walks left out, they are the climbs of a hilly
run/walk, run at the pace of its flat kilometres, or the running resumed after a walk: five
steady runs of the blind batches read as a fartlek (tests/data/blind-2026-12z: "3 surges of
70 s-1:30 min at 5:49-6:20/km" after two kilometres at 5:55/km)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import repeats, segments, synthetic
from analysis.classify import classify
from analysis.evidence import Case
from analysis.model import Activity, Streams, Workout
from analysis.parsers.summary import activity_from_streams
from analysis.profile import default_profile

START = datetime(2026, 8, 8, 7, 0, tzinfo=UTC)
WALK = 1000.0 / 780.0  # 13:00/km


def hilly_run_walk(pace: float, climbs: list[tuple[float, float]], grade: float = 6.0
                   ) -> Activity:
    """Ten minutes on the flat at ``pace`` (s/km), then for each of ``climbs`` = (seconds,
    seconds) a climb at ``grade`` % run at the same pace over the ground, a walk down, and
    three minutes on the flat at that pace again; the heart rate about 140 on the flat, rising
    to 168 (88 % of the assumed maximum) up every climb."""
    run = 1000.0 / pace
    speed, slope, hr = [np.full(600, run)], [np.zeros(600)], [np.full(600, 140.0)]
    for up, walked in climbs:
        speed += [np.full(round(up), run), np.full(round(walked), WALK), np.full(180, run)]
        slope += [np.full(round(up), grade / 100.0), np.full(round(walked), -grade / 100.0),
                  np.zeros(180)]
        hr += [np.linspace(140.0, 168.0, round(up)), np.linspace(168.0, 135.0, round(walked)),
               np.full(180, 140.0)]
    v, s = np.concatenate(speed), np.concatenate(slope)
    time = np.arange(v.size, dtype=np.float64)
    streams = Streams(time=time, distance=np.concatenate(([0.0], np.cumsum(v[1:]))), speed=v,
                      moving=np.ones(v.size, dtype=bool), altitude=100.0 + np.cumsum(s * v),
                      heartrate=np.concatenate(hr) + 3.0 * np.sin(time / 20.0))
    return activity_from_streams("Run", START, streams)


def test_climbs_run_at_the_flats_pace_each_walked_down_are_no_fartlek() -> None:
    # read as "3 surges of 55 s-2:30 min at 5:30/km, 4 min jog recoveries"
    result = classify(hilly_run_walk(330.0, [(150, 60), (50, 60), (100, 60)], grade=10.0))
    assert result.workout is not Workout.FARTLEK, result.evidence


@settings(max_examples=25, deadline=None)
@given(st.floats(330.0, 440.0),
       st.lists(st.tuples(st.floats(45.0, 150.0), st.floats(60.0, 180.0)), min_size=3,
                max_size=7),
       st.floats(4.0, 10.0))
def test_running_no_faster_than_the_runs_own_pace_is_never_a_fartlek(
    pace: float, climbs: list[tuple[float, float]], grade: float,
) -> None:
    result = classify(hilly_run_walk(pace, climbs, grade))
    assert result.workout is not Workout.FARTLEK, result.evidence


def test_the_surges_of_generated_fartleks_beat_their_runs_running() -> None:
    profile = default_profile()
    for seed in range(20):
        activity = synthetic.generate(Workout.FARTLEK, np.random.default_rng(seed), START, None)
        features = segments.from_streams(activity, profile)
        assert features is not None
        if len(features.efforts.bouts) >= repeats.MIN_REPS:
            assert repeats._beat_the_run(Case(activity, profile, features)), seed
