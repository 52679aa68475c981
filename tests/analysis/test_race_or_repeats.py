"""Repeats whose kilometres average out even, and laps that hold them, as the eleventh blind
batch (tests/data/blind-2026-12k) found them missed: 6 x 800 m on 400 m jogs read as a 10 km
race "even splits ... all the way", and its laps as "19 min continuous"; 4 x 800 m on standing
rests inside one lap, decided from that lap as "24:21 min continuous". Built by hand from
arrays; each failed before its rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analysis import corroboration
from analysis.classify import classify, classify_summary
from analysis.model import Activity, Lap, Workout
from tests.support.runs import Part, session

#: 800 m reps at 3:54/km on 400 m jogs at 5:33/km, after a warm-up, for 10 km in all.
REP, JOG = (195.0, 4.1, 0.0), (140.0, 3.0, 0.0)
WARM_UP: Part = (420.0, 3.5, 0.0)


def ten_km_of_repeats(laps: str) -> Activity:
    reps = 6 * (REP[0] * REP[1] + JOG[0] * JOG[1])
    cool_down: Part = ((10_050 - reps - WARM_UP[0] * WARM_UP[1]) / 3.4, 3.4, 0.0)
    parts = [WARM_UP, *[part for _ in range(6) for part in (REP, JOG)], cool_down]
    return session(parts, laps=laps)


@pytest.mark.parametrize("laps", ["none", "manual"])
def test_repeats_whose_kilometres_average_out_even_are_no_race(laps: str) -> None:
    activity = ten_km_of_repeats(laps)
    assert abs(activity.distance_m - 10_000) < 100  # a race distance, at race heart rate
    result = classify(activity)
    assert result.workout is Workout.INTERVALS, result.evidence
    assert "even splits" not in result.evidence


def joined(first: Lap, second: Lap) -> Lap:
    """One lap for two: the press between them missed."""
    seconds = first.elapsed_s + second.elapsed_s
    hr = ((first.avg_hr or 0.0) * first.elapsed_s + (second.avg_hr or 0.0) * second.elapsed_s)
    return Lap(first.start_s, seconds, first.moving_s + second.moving_s,
               first.distance_m + second.distance_m, avg_hr=hr / seconds)


def test_laps_that_alternate_fast_and_slow_at_tempo_heart_rate_are_no_continuous_tempo() -> None:
    # The heart rate stays in the tempo zone through the jogs, and the press after the third
    # rep was missed, so the recoveries look irregular; the laps say the jogs were jogs.
    activity = ten_km_of_repeats("manual")
    laps = activity.laps
    third = 1 + 2 * 2
    activity = replace(activity, laps=(*laps[:third], joined(laps[third], laps[third + 1]),
                                       *laps[third + 2:]))
    verdict = classify_summary(activity)
    assert "continuous" not in verdict.classification.evidence, verdict
    assert not verdict.decided or verdict.classification.workout is Workout.INTERVALS, verdict


def test_one_lap_that_stood_still_a_third_of_its_time_decides_no_tempo() -> None:
    # 4 x 800 m whose rests were stood or walked inside the one lap of the whole session: the
    # lap's heart rate is tempo's, and "continuous" would hide 14 minutes of standing.
    activity = session([(1500.0, 3.7, 0.0)])
    lap = Lap(0.0, 2330.0, 1500.0, activity.distance_m, avg_hr=165.0, max_hr=193.0)
    closing = Lap(2330.0, 0.0, 0.0, 0.0)  # the device's lap of no time as it stopped
    paused = replace(activity, elapsed_s=2330.0, avg_hr=165.0, max_hr=193.0,
                     laps=(lap, closing))
    verdict = classify_summary(paused)
    assert not verdict.decided, verdict
    assert "pauses" in verdict.reason


#: Twelve minutes of 60 s on, 60 s off, as sample ranges at 1 Hz.
BOUTS = [(120 * i, 120 * i + 60) for i in range(6)]
GAPS = [(120 * i + 60, 120 * i + 120) for i in range(5)]


def heart(swing: float) -> np.ndarray:
    """A heart rate that climbs by ``swing`` bpm over each bout and falls back in each gap,
    answering 15 s late."""
    t = np.arange(720)
    phase = ((t - 15) % 120) / 60.0
    return 160.0 + swing * np.where(phase < 1.0, phase, 2.0 - phase)


@pytest.mark.parametrize(("heartrate", "follows"), [
    # shared/data/real's trackeR 10 km race: speed swinging minute by minute, heart rate held
    (heart(4.0), False),
    # tests/data/blind-2026-12k's 6 x 800 m: the heart rate rises in each rep, falls in each jog
    (heart(18.0), True),
    # no heart rate: no witness against the bouts
    (None, True),
    (np.full(720, np.nan), True),
])
def test_reps_are_witnessed_by_a_heart_rate_that_rises_in_them_and_falls_between(
        heartrate: np.ndarray | None, follows: bool) -> None:
    assert corroboration.heart_follows(heartrate, BOUTS, GAPS) is follows


def test_a_five_km_race_its_watch_measured_long_is_still_a_race() -> None:
    # 5.18 km in 17:59, even, heart rate at race level: GPS reads a certified course long.
    activity = session([(1079.0, 5180.0 / 1079.0, 0.0)])
    assert 5150 < activity.distance_m < 5210
    result = classify(activity)
    assert result.workout is Workout.RACE, result.evidence
