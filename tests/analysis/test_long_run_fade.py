"""A long run or race that starts at its fastest and fades is no tempo. An Ironman's marathon,
57 min at 4:47/km from the gun and slower after, its wrist heart rate 71 % of the assumed
maximum, read from its auto laps as "2 x 33:30 min at 4:47-4:51/km", a tempo
(tests/data/blind-2026-12za). A long run's tempo blocks come after a warm-up."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from analysis import rules, segments
from analysis.classify import classify, classify_summary
from analysis.evidence import Case
from analysis.model import Activity, Streams, Workout
from analysis.parsers.summary import activity_from_streams, lap_from_streams
from analysis.profile import default_profile

START = datetime(2026, 4, 2, 11, 0, tzinfo=UTC)


def run(parts: list[tuple[float, float, float]]) -> Activity:
    """Stretches of (minutes, pace in s/km, heart rate), flat, with an auto lap every km."""
    speed = np.concatenate([np.full(round(m * 60), 1000.0 / p) for m, p, _ in parts])
    hr = np.concatenate([np.full(round(m * 60), h) for m, _, h in parts])
    time = np.arange(speed.size, dtype=np.float64)
    hr = hr + 2.0 * np.sin(time / 30.0)
    distance = np.concatenate(([0.0], np.cumsum(speed[1:])))
    streams = Streams(time=time, distance=distance, speed=speed,
                      moving=np.ones(speed.size, dtype=bool), heartrate=hr,
                      altitude=np.full(speed.size, 10.0))
    marks = [float(np.searchsorted(distance, km * 1000.0))
             for km in range(int(distance[-1] // 1000) + 1)] + [float(time[-1])]
    laps = tuple(lap_from_streams(streams, a, b) for a, b in zip(marks, marks[1:], strict=False)
                 if b > a)
    return activity_from_streams("Run", START, streams, laps)


#: The marathon's shape: its first hour at its start pace, then a fade, the wrist heart rate
#: touching 170 once.
FADING = [(57.0, 287.0, 136.0), (5.0, 330.0, 132.0), (10.0, 291.0, 135.0),
          (60.0, 320.0, 128.0), (1.0, 330.0, 170.0), (60.0, 360.0, 124.0),
          (40.0, 400.0, 120.0)]


def test_a_marathon_that_fades_from_its_start_pace_is_no_tempo() -> None:
    activity = run(FADING)
    profile = default_profile()
    # its laps: "2 x 33:30 min at 4:47-4:53/km", the first from the gun
    assert rules.tempo_block(Case(activity, profile, segments.from_laps(activity, profile))) is None
    assert classify(activity).workout is not Workout.TEMPO
    verdict = classify_summary(activity)
    assert not verdict.decided or verdict.classification.workout is not Workout.TEMPO


def test_a_long_run_with_two_tempo_blocks_after_a_warm_up_is_still_a_tempo() -> None:
    activity = run([(20.0, 360.0, 130.0), (20.0, 265.0, 165.0), (5.0, 360.0, 140.0),
                    (20.0, 265.0, 168.0), (40.0, 360.0, 135.0)])
    assert classify(activity).workout is Workout.TEMPO, classify(activity).evidence
