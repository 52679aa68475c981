"""Repeat sessions of the shapes the eighth blind batch (tests/data/blind-2026-12h) found
missed: short track repeats in sets, flat-out sprints on full rests, repeats followed by
strides, repeats stood still after, laps that hold their rests, and a cut-down ladder.
Built by hand from arrays; each failed before its rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from analysis.classify import classify, classify_summary
from analysis.model import Activity, Lap, Workout
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
