"""Repeat sessions of the shapes the eighth blind batch (tests/data/blind-2026-12h) found
missed: short track repeats in sets, flat-out sprints on full rests, repeats followed by
strides, repeats stood still after, laps that hold their rests, and a cut-down ladder.
Built by hand from arrays; each failed before its rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from analysis import climbs
from analysis.classify import classify, classify_summary
from analysis.model import Activity, Lap, Workout
from analysis.profile import build_profile
from tests.support.runs import EASY, Part, session

#: A fast runner's paces (m/s): 200 m in 30 s, 1 km in 3:05, a jog, a walk.
REP_200, REP_1K, JOG, WALK = 6.7, 5.45, 2.1, 1.3


def standing_still(activity: Activity, below: float = 0.5) -> Activity:
    """``activity`` with the samples slower than ``below`` m/s marked as not moving."""
    assert activity.streams is not None
    moving = activity.streams.speed >= below
    streams = replace(activity.streams, moving=moving)
    return replace(activity, streams=streams, moving_s=float(np.count_nonzero(moving)))


def sets_of(reps: int, rep: Part, rest: Part) -> list[Part]:
    parts: list[Part] = []
    for i in range(reps):
        parts += [rep] + ([rest] if i < reps - 1 else [])
    return parts


def test_short_track_repeats_in_two_sets_far_apart_are_intervals() -> None:
    # 2 x (4 x 200 m on 30 s), the sets 18 min apart: no sprint set (the break is too long)
    # and, before, no intervals either (repeats under 45 s were sprints or nothing).
    one_set = sets_of(4, (30.0, REP_200, 0.0), (30.0, WALK, 0.0))
    parts = [(900.0, EASY, 0.0), *one_set, (1080.0, 0.8, 0.0), *one_set, (600.0, EASY, 0.0)]
    for laps in ("none", "manual"):
        result = classify(session(parts, laps=laps))
        assert result.workout is Workout.INTERVALS, (laps, result.evidence)
        assert result.evidence.startswith("8 x "), result.evidence


def test_flat_out_sprints_on_rests_of_several_minutes_are_sprints() -> None:
    parts = [(900.0, EASY, 0.0), *sets_of(5, (20.0, 7.2, 0.0), (390.0, WALK, 0.0)),
             (600.0, EASY, 0.0)]
    result = classify(session(parts))
    assert result.workout is Workout.SPRINTS, result.evidence


def test_three_kilometre_repeats_followed_by_strides_stay_the_repeats() -> None:
    # The kilometres were trimmed as the odd edge bouts among four strides, and the session
    # read as a long run.
    parts = [(1800.0, EASY, 0.0), *sets_of(3, (190.0, REP_1K, 0.0), (100.0, JOG, 0.0)),
             (840.0, 1.0, 0.0), *sets_of(4, (22.0, REP_200, 0.0), (180.0, 1.6, 0.0)),
             (600.0, EASY, 0.0)]
    result = classify(session(parts, laps="manual"))
    assert result.workout is Workout.INTERVALS, result.evidence
    assert result.evidence.startswith("3 x "), result.evidence


def mixed_on_standing_rests(rests: list[float]) -> list[Part]:
    """800 and 400 m repeats in an irregular order, each followed by a standstill."""
    lengths = [150.0, 150.0, 70.0, 150.0, 150.0, 150.0, 70.0]
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for i, seconds in enumerate(lengths):
        parts.append((seconds, 5.3 if seconds > 100 else 5.6, 0.0))
        if i < len(lengths) - 1:
            parts.append((rests[i], 0.0, 0.0))
    return [*parts, (600.0, EASY, 0.0)]


def test_repeats_of_mixed_lengths_stood_still_after_are_intervals_not_fartlek() -> None:
    # A 40 s standstill among rests of 1-6 min joined two repeats into one "surge" as if it
    # were a traffic light inside a tempo; then the mixed lengths read as fartlek.
    rests = [70.0, 40.0, 216.0, 60.0, 368.0, 51.0]
    result = classify(standing_still(session(mixed_on_standing_rests(rests))))
    assert result.workout is Workout.INTERVALS, result.evidence
    assert result.evidence.startswith("7 x "), result.evidence
    assert "standing recoveries" in result.evidence


def test_a_traffic_light_inside_a_tempo_still_joins_its_two_halves() -> None:
    parts: list[Part] = [(600.0, EASY, 0.0), (600.0, 4.0, 0.0), (40.0, 0.0, 0.0),
                         (700.0, 4.0, 0.0), (600.0, EASY, 0.0)]
    result = classify(standing_still(session(parts)))
    assert result.workout is Workout.TEMPO, result.evidence


def laps_holding_their_rests(activity: Activity, rests: list[float]) -> Activity:
    """The repeats' laps as a watch pressed only at each start: every repeat's lap runs on
    through the standstill after it."""
    laps = list(activity.laps)
    merged: list[Lap] = [laps[0]]
    i = 1
    while i < len(laps):
        lap = laps[i]
        if i + 1 < len(laps) - 1 and laps[i + 1].moving_s == 0.0:
            stood = laps[i + 1]
            lap = replace(lap, elapsed_s=lap.elapsed_s + stood.elapsed_s)
            i += 1
        merged.append(lap)
        i += 1
    return replace(activity, laps=tuple(merged))


def test_laps_that_stood_still_inside_decide_no_continuous_tempo() -> None:
    rests = [70.0, 47.0, 216.0, 60.0, 368.0, 51.0]
    run = standing_still(session(mixed_on_standing_rests(rests), laps="manual"))
    laps = tuple(replace(lap, moving_s=0.0) if lap.distance_m < 1.0 else lap for lap in run.laps)
    run = laps_holding_their_rests(replace(run, laps=laps), rests)
    verdict = classify_summary(run)
    assert not (verdict.decided and verdict.classification.workout is Workout.TEMPO), verdict
    assert classify(run).workout is Workout.INTERVALS, classify(run).evidence


def test_a_cut_down_ladder_on_fixed_jogs_is_intervals() -> None:
    # 1200-1000-800-600-400 m on 2:30 jogs, the last much the fastest: too fast for the
    # ladder's one pace, read as fartlek.
    reps = [(217.0, 5.66), (179.0, 5.56), (137.0, 5.85), (104.0, 5.70), (60.0, 6.70)]
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for i, (seconds, speed) in enumerate(reps):
        parts.append((seconds, speed, 0.0))
        if i < len(reps) - 1:
            parts.append((150.0, 2.6, 0.0))
    result = classify(session([*parts, (600.0, EASY, 0.0)]))
    assert result.workout is Workout.INTERVALS, result.evidence



def test_strides_before_the_repeats_set_no_bar_for_them() -> None:
    # Twelve 12 s strides at 3:01/km, then 7 x 3 min at 3:45-3:58/km on 90 s standing:
    # the strides set the bar of the workout's bouts (three quarters of the fastest) above
    # the repeats, and the session read as its strides, "12 x 10 s ... jog recoveries".
    parts: list[Part] = [(1200.0, EASY, 0.0),
                         *sets_of(12, (12.0, 5.5, 0.0), (33.0, 0.0, 0.0)), (540.0, 0.0, 0.0),
                         *sets_of(7, (180.0, 4.3, 0.0), (95.0, 0.0, 0.0)), (600.0, EASY, 0.0)]
    result = classify(standing_still(session(parts)))
    assert result.workout is Workout.INTERVALS, result.evidence
    assert result.evidence.startswith("7 x 3 min at "), result.evidence
    assert result.evidence.endswith("standing recoveries"), result.evidence


def test_short_swings_of_a_slow_run_are_no_track_repeats() -> None:
    # A phone's GPS swinging to 4:55-5:57/km for 20-40 s in a 7:43/km run, 45 s apart
    # (tests/data/history, 2020-09-06): short repeats that are no sprint set are intervals
    # only as fast as sprints.
    parts: list[Part] = [(300.0, 2.16, 0.0),
                         *sets_of(4, (30.0, 3.0, 0.0), (45.0, 2.16, 0.0)), (300.0, 2.16, 0.0)]
    result = classify(session(parts, heart=False))
    assert result.workout not in (Workout.INTERVALS, Workout.SPRINTS), result.evidence


# The ninth blind batch (tests/data/blind-2026-12i): repeats under the hard zone of an
# assumed maximum, a warm-up around a long standstill, and hill sprints pressed by laps.

def with_heart_rate(activity: Activity, low: float, high: float) -> Activity:
    """``activity`` with a heart rate that follows its speed between ``low`` and ``high``
    bpm."""
    assert activity.streams is not None
    speed = activity.streams.speed
    share = (speed - speed.min()) / max(float(np.ptp(speed)), 1e-9)
    hr = np.convolve(low + (high - low) * share, np.ones(30) / 30, mode="same")
    hr[:30], hr[-30:] = low, low
    streams = replace(activity.streams, heartrate=hr)
    laps = tuple(replace(lap, avg_hr=float(np.mean(hr[int(lap.start_s):int(lap.start_s
                                                                          + lap.elapsed_s)])))
                 for lap in activity.laps)
    return replace(activity, streams=streams, laps=laps, avg_hr=float(np.mean(hr)),
                   max_hr=float(np.max(hr)))


def eight_hundreds() -> list[Part]:
    """4 x 800 m at 4:12/km on 400 m jogs at 5:56/km, warmed up and cooled down."""
    return [(575.0, EASY, 0.0), *sets_of(4, (202.0, 3.97, 0.0), (142.0, 2.81, 0.0)),
            (500.0, 3.0, 0.0)]


def test_repeats_under_the_hard_zone_of_an_assumed_maximum_are_intervals() -> None:
    # Peaking at 157 bpm, under 85 % of the assumed 190: read as an easy run.
    for laps in ("none", "manual"):
        run = with_heart_rate(session(eight_hundreds(), laps=laps), 118.0, 163.0)
        result = classify(run)
        assert result.workout is Workout.INTERVALS, (laps, result.evidence)


def test_a_maximum_the_athlete_gave_keeps_the_hard_zone_where_it_is() -> None:
    run = with_heart_rate(session(eight_hundreds()), 118.0, 163.0)
    assert classify(run, build_profile([], max_hr=190.0)).workout is not Workout.INTERVALS
    assert classify(run, build_profile([], max_hr=180.0)).workout is Workout.INTERVALS


def test_a_peak_on_a_hiked_climb_makes_no_repeats_of_easy_pickups() -> None:
    # The same 800 m run at 118-140 bpm, and a climb hiked at 157 bpm after them: the
    # session's peak says nothing of the repeats (tests/data/blind-2026-12c's hs-3981100861).
    run = with_heart_rate(session([*eight_hundreds(), (600.0, 1.2, 12.0), (300.0, EASY, 0.0)]),
                          118.0, 140.0)
    assert run.streams is not None and run.streams.heartrate is not None
    heartrate = run.streams.heartrate.copy()
    heartrate[-900:-300] = 157.0 + np.round(np.sin(np.arange(600) / 20.0))  # 156-158
    run = replace(run, streams=replace(run.streams, heartrate=heartrate), max_hr=158.0)
    assert classify(run).workout is not Workout.INTERVALS, classify(run).evidence


def test_a_warm_up_around_a_long_standstill_is_no_continuous_tempo() -> None:
    # Laps pressed by hand: a 15 min warm-up whose last lap stood 27 min, 12 hill sprints,
    # a slow cool-down. The warm-up's laps read as "42:30 min continuous at 5:14/km".
    parts: list[Part] = [(520.0, 3.05, 0.0), (510.0, 3.15, 0.0), (410.0, 3.2, 0.0),
                         (1600.0, 0.0, 0.0),
                         *sets_of(12, (32.0, 3.9, 7.0), (47.0, 2.7, -6.0)), (690.0, 2.35, 0.0)]
    run = standing_still(session(parts, laps="manual"))
    for result in (classify(run), classify_summary(run).classification):
        assert "continuous" not in result.evidence, result.evidence
        assert result.workout is not Workout.TEMPO, result.evidence


def test_short_hill_sprints_pressed_by_laps_are_hill_repeats() -> None:
    # 12 laps of 120 m up a 7 % slope in 32 s (8 m each), each run back down: too low for a
    # climb found in the altitude stream (12 m), but the laps mark the hill.
    parts: list[Part] = [(1200.0, EASY, 0.0),
                         *sets_of(12, (32.0, 3.9, 7.0), (47.0, 2.7, -6.0)), (600.0, EASY, 0.0)]
    run = session(parts, laps="manual")
    assert classify_summary(run).classification.workout is Workout.HILLS
    assert classify(run).workout is Workout.HILLS, classify(run).evidence


def test_a_descending_ladder_warmed_up_above_its_jogs_keeps_all_its_repeats() -> None:
    # 2 x 1609, 2 x 825, 472 and 412 m at 4:03-4:17/km on jogs at 5:10-5:24/km, after three
    # warm-up miles at 4:46-4:56/km: the warm-up and cool-down filled the slowest quarter of
    # the laps, two repeats fell under that "jog", and the two shortest were trimmed as odd.
    ladder = [(404.0, 3.98), (261.0, 3.15), (411.0, 3.92), (255.0, 3.19), (200.0, 4.11),
              (134.0, 3.12), (200.0, 4.12), (135.0, 3.22), (117.0, 4.03), (139.0, 3.08),
              (106.0, 3.89)]
    parts: list[Part] = [(478.0, 3.37, 0.0), (461.0, 3.49, 0.0), (470.0, 3.42, 0.0),
                         *((seconds, speed, 0.0) for seconds, speed in ladder),
                         (492.0, 3.27, 0.0), (328.0, 3.28, 0.0)]
    verdict = classify_summary(session(parts, laps="manual"))
    assert verdict.classification.workout is Workout.INTERVALS, verdict
    assert verdict.classification.evidence.startswith("6 x "), verdict


def test_a_ladder_then_a_set_of_short_repeats_on_their_own_rests_is_intervals() -> None:
    # 1200-1000-800-600-400 m on 2:30 jogs, 2:45 jogged, then 3 x 200 m on 70 s: kept whole
    # as a ladder, its rests differ between the two sets, and it read as a fartlek.
    # Paces as run, in s/km: the 400 m much the fastest of the ladder.
    ladder = [(217.0, 175.0), (179.0, 179.0), (137.0, 170.0), (104.0, 175.0), (60.0, 149.0)]
    parts: list[Part] = []
    for i, (seconds, pace) in enumerate(ladder):
        parts += [(seconds, 1000.0 / pace, 0.0), (150.0 if i < 4 else 165.0, 2.65, 0.0)]
    for i, pace in enumerate((163.0, 159.0, 149.0)):
        parts += [(31.0, 1000.0 / pace, 0.0), (70.0 if i < 2 else 300.0, 2.9, 0.0)]
    verdict = classify_summary(session(parts, laps="manual"))
    assert verdict.classification.workout is Workout.INTERVALS, verdict
    assert verdict.classification.evidence.startswith("8 x "), verdict


def test_laps_that_climb_steeper_than_any_hill_repeat_are_no_climbs() -> None:
    # A lap of a few metres whose device counted 6-10 m of ascent climbs at 100-190 %: an
    # altitude error, not a hill (the sandbox's interval sessions read as hill repeats).
    def laps(up_m: float) -> list[Lap]:
        out: list[Lap] = []
        seconds = up_m / 4.0  # run up at 4 m/s
        for i in range(6):
            out.append(Lap(100.0 * i, seconds, seconds, up_m, ascent_m=8.0))
            out.append(Lap(100.0 * i + seconds, 70.0, 70.0, 150.0, ascent_m=0.0))
        return out

    assert len(climbs.lap_hill_repeats(laps(120.0))) == 6
    assert climbs.lap_hill_repeats(laps(6.0)) == ()
