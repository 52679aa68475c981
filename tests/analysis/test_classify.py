"""Workout classification from streams, laps and summaries, built by hand from arrays."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis import segments
from analysis.classify import SummaryVerdict, classify, classify_summary
from analysis.efforts import lap_efforts
from analysis.model import Activity, Lap, Streams, Workout
from analysis.parsers import parse_sessions
from analysis.profile import AthleteProfile
from analysis.voice import Voice
from tests.support.runs import EASY, PROFILE, START, THRESHOLD, Part, _lap, session


def repeats(n: int, work: Part, rest: Part) -> list[Part]:
    parts = [(600.0, EASY, 0.0)]
    for i in range(n):
        parts += [work] + ([rest] if i < n - 1 else [])
    return parts + [(600.0, EASY, 0.0)]


def test_four_times_six_minutes_with_jog_recoveries_are_intervals() -> None:
    result = classify(session(repeats(4, (360, 1.15 * THRESHOLD, 0), (180, 0.8 * EASY, 0))))
    assert result.workout is Workout.INTERVALS
    assert result.evidence.startswith("4 x 6 min at ")
    assert "3 min jog recoveries" in result.evidence


def test_eight_times_400_metres_are_intervals_named_by_distance() -> None:
    paces = 1.2 * THRESHOLD * np.array([1.0, 0.96, 1.04, 0.98, 1.03, 0.95, 1.01, 1.05])
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for pace in paces:
        parts += [(400 / pace, float(pace), 0.0), (90.0, 0.75 * EASY, 0.0)]
    result = classify(session(parts[:-1] + [(600.0, EASY, 0.0)]))
    assert result.workout is Workout.INTERVALS
    assert result.evidence.startswith("8 x 400 m")


def test_repeats_of_several_lengths_are_named_by_their_range_not_by_one_of_them() -> None:
    # The shape of a track session of the sixth blind batch: 400-880 m laps, 1:44-4:15 min
    # each, read as "9 x 4 min".
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for seconds in (105, 150, 225, 150, 105, 225, 225, 225, 240):
        parts += [(seconds, 1.15 * THRESHOLD, 0.0), (120.0, 0.7 * EASY, 0.0)]
    result = classify(session(parts[:-1] + [(600.0, EASY, 0.0)]))
    assert result.workout is Workout.INTERVALS
    assert re.match(r"9 x [\d:]+ min-[\d:]+ min at ", result.evidence), result.evidence


def test_repeats_under_45_seconds_are_sprints() -> None:
    result = classify(session(repeats(10, (20, 1.5 * THRESHOLD, 0), (90, 1.4, 0))))
    assert result.workout is Workout.SPRINTS
    assert result.evidence.startswith("10 x ")


def test_a_sustained_block_between_warm_up_and_cool_down_is_tempo() -> None:
    parts = [(600.0, EASY, 0.0), (1500.0, THRESHOLD, 0.0), (480.0, EASY, 0.0)]
    result = classify(session(parts))
    assert result.workout is Workout.TEMPO
    assert "continuous" in result.evidence


def test_two_long_climbs_at_an_easy_heart_rate_are_not_a_tempo() -> None:
    # The shape of a trail run of the fourth blind batch (mwheeler235's BoulderTrailRun of
    # 2024-12-05): two 13 min climbs, fast only once grade-adjusted, at 76 % of max,
    # read as "2 x 13:30 min" of tempo.
    parts: list[Part] = [(600.0, 2.6, 0.0)]
    for _ in range(2):
        parts += [(780.0, 2.2, 8.0), (600.0, 3.4, -8.0), (300.0, 2.6, 0.0)]
    result = classify(session([*parts, (60.0, 1.2 * THRESHOLD, 0.0), (300.0, 2.6, 0.0)]))
    assert result.workout is Workout.EASY, result.evidence


def test_tempo_is_found_from_pace_alone_without_heart_rate() -> None:
    parts = [(600.0, EASY, 0.0), (1500.0, THRESHOLD, 0.0), (480.0, EASY, 0.0)]
    assert classify(session(parts, heart=False)).workout is Workout.TEMPO


def test_irregular_surges_without_regular_recoveries_are_fartlek() -> None:
    surges = [(40, 1.2), (180, 1.0), (75, 1.1), (240, 0.95), (30, 1.25), (120, 1.05)]
    floats = [60, 200, 90, 150, 45, 120]
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for (seconds, factor), rest in zip(surges, floats, strict=True):
        parts += [(seconds, factor * THRESHOLD, 0.0), (rest, EASY, 0.0)]
    assert classify(session(parts)).workout is Workout.FARTLEK


def test_climbs_fast_only_once_grade_adjusted_are_not_fartlek_surges() -> None:
    # The shape of a trail run of the held-out set (sports-lib's movescount.gpx, not
    # carried for its licence): climbs of 2-6 min at 8:30/km between flatter running
    # at 6:25/km, which grade-adjusted pace alone reads as surges.
    parts: list[Part] = [(600.0, 2.6, 0.0)]
    for climb, flat in [(150, 120), (300, 60), (200, 90), (340, 150), (240, 70), (180, 100)]:
        parts += [(climb, 1.95, 15.0), (flat, 2.6, -3.0)]
    assert classify(session([*parts, (600.0, 2.6, -2.0)])).workout is Workout.EASY


def test_rises_no_faster_over_the_ground_than_the_running_between_are_not_repeats() -> None:
    # The shape of a steady run of the fourth blind batch (ActivityLog2's 310xt-run.fit):
    # regular rises of 1:30 min run at the pace of the flat between them, repeats only
    # once grade-adjusted and with the heart rate up on each; read as intervals.
    parts: list[Part] = [(600.0, 3.0, 0.0)]
    for _ in range(6):
        parts += [(90.0, 2.9, 7.0), (180.0, 3.0, 0.0)]
    result = classify(session(parts + [(600.0, 3.0, 0.0)]))
    assert result.workout is Workout.EASY, result.evidence


def test_a_long_block_after_a_few_warm_up_pickups_is_the_work_not_an_odd_edge() -> None:
    # The shape of a track session of the held-out set (30 min of fast running after a
    # warm-up with three short pickups), which read as "3 x 15 s" sprints.
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for _ in range(3):
        parts += [(15.0, 1.4 * THRESHOLD, 0.0), (60.0, EASY, 0.0)]
    parts += [(300.0, EASY, 0.0), (1800.0, 1.05 * THRESHOLD, 0.0), (600.0, EASY, 0.0)]
    assert classify(session(parts)).workout is Workout.TEMPO


def test_repeated_climbs_run_hard_with_jogs_down_are_hills() -> None:
    up, down = (90.0, 2.6, 8.0), (100.0, 0.85 * EASY, -8.0)
    result = classify(session([(600.0, EASY, 0.0), *[p for _ in range(6) for p in (up, down)],
                               (600.0, EASY, 0.0)]))
    assert result.workout is Workout.HILLS
    assert re.match(r"[56] climbs of \d+(-\d+)? m at \d+(-\d+)? %", result.evidence)


def test_one_long_climb_at_an_even_effort_is_not_hill_repeats() -> None:
    parts = [(1200.0, EASY, 0.0), (900.0, 0.7 * EASY, 6.0), (900.0, EASY, -5.0)]
    assert classify(session(parts)).workout is Workout.EASY


def test_steady_runs_are_easy_long_or_recovery_by_the_athletes_yardsticks() -> None:
    assert classify(session([(2700.0, EASY, 0.0)])).workout is Workout.EASY
    assert classify(session([(6000.0, EASY, 0.0)])).workout is Workout.LONG
    assert classify(session([(1500.0, 0.8 * EASY, 0.0)])).workout is Workout.RECOVERY


def test_the_same_run_is_long_for_one_athlete_and_easy_for_another() -> None:
    run = session([(4200.0, EASY, 0.0)])
    beginner = replace(PROFILE, typical_run_s=1800.0, typical_run_m=5000.0, long_run_m=7500.0)
    assert classify(run, beginner).workout is Workout.LONG
    assert classify(run, PROFILE).workout is Workout.EASY


def test_an_even_hard_run_over_a_standard_distance_is_a_race() -> None:
    speed = 1.05 * THRESHOLD
    result = classify(session([(10050 / speed, speed, 0.0)], heart=False))
    assert result.workout is Workout.RACE
    assert "even splits" in result.evidence


def test_stravas_workout_type_is_the_athletes_word() -> None:
    steady = [(2700.0, EASY, 0.0)]
    assert classify(session(steady, workout_type=1)).workout is Workout.RACE
    assert classify(session(steady, workout_type=2)).workout is Workout.LONG
    flagged = classify(session(steady, workout_type=3))
    assert flagged.workout is Workout.EASY
    assert "tagged a workout on Strava" in flagged.evidence
    assert flagged.confidence < classify(session(steady)).confidence + 0.01


def test_sports_decide_strength_and_cross_training() -> None:
    gym = Activity("WeightTraining", START, 2700, 2700, 0.0)
    ride = Activity("Ride", START, 5400, 5400, 45000.0)
    walk = Activity("Walk", START, 45, 45, 68.0)
    assert classify(gym).workout is Workout.STRENGTH
    assert classify(ride).workout is Workout.CROSS_TRAINING
    assert classify(walk).workout is Workout.CROSS_TRAINING


def test_runs_that_cannot_be_judged_are_other_with_the_reason() -> None:
    short = Activity("Run", START, 120, 120, 400.0)
    no_distance = Activity("Run", START, 1800, 1800, 0.0, trainer=True)
    left_running = Activity("Run", START, 1437 * 60, 1437 * 60, 5000.0)
    ride_as_run = Activity("Run", START, 48 * 60, 48 * 60, 22000.0)
    for activity, word in ((short, "too short"), (no_distance, "no distance"),
                           (left_running, "not a running speed"),
                           (ride_as_run, "not a running speed")):
        result = classify(activity)
        assert result.workout is Workout.OTHER
        assert word in result.evidence


def test_summary_decides_intervals_from_manual_laps_without_streams() -> None:
    activity = session(repeats(5, (240, 1.15 * THRESHOLD, 0), (120, 0.8 * EASY, 0)),
                       laps="manual")
    verdict = classify_summary(activity)
    assert verdict.decided
    assert verdict.classification.workout is Workout.INTERVALS
    assert classify_summary(replace(activity, streams=None)) == verdict


def test_a_last_lap_of_a_second_does_not_hide_the_repeats_from_the_summary() -> None:
    # tests/data/blind-2026-12e: 4 x 2:30 min with 5 min jogs, then a lap of 1 s and 5 m
    # (3:12/km) left by the watch stopped after the last press; taken as the fastest lap, it
    # left one repeat above the bar and the summary read a tempo.
    activity = session(repeats(4, (150, 1.03 * THRESHOLD, 0), (300, 0.9 * EASY, 0)),
                       laps="manual")
    end = activity.laps[-1].start_s + activity.laps[-1].elapsed_s
    sliver = Lap(end, 1.0, 1.0, 5.2, avg_hr=activity.laps[-1].avg_hr)
    activity = replace(activity, laps=(*activity.laps, sliver), streams=None)
    verdict = classify_summary(activity)
    assert verdict.classification.workout is Workout.INTERVALS
    assert verdict.classification.evidence.startswith("4 x 2:30 min")


def test_a_warm_up_lap_built_up_to_steady_pace_is_not_joined_to_the_first_repeat() -> None:
    # tests/data/blind-2026-12e: 5 min easy, 10 min at 5:18/km, then 5 x 2 min at
    # 4:07-4:18/km with 2 min jogs; the 10 min lap, just fast enough to be a bout, ran into
    # the first repeat and made it one bout of 12 min, and the laps read a tempo.
    parts: list[Part] = [(300.0, 0.93 * EASY, 0.0), (600.0, 1.13 * EASY, 0.0)]
    for i in range(5):
        parts += [(120.0, 1.05 * THRESHOLD, 0.0)] + ([(120.0, 0.93 * EASY, 0.0)] if i < 4 else [])
    parts += [(600.0, 0.95 * EASY, 0.0), (300.0, EASY, 0.0)]
    activity = replace(session(parts, laps="manual"), streams=None)
    verdict = classify_summary(activity)
    assert verdict.classification.workout is Workout.INTERVALS
    assert verdict.classification.evidence.startswith("5 x 2 min at ")


def test_a_fast_last_effort_after_the_repeats_is_a_finish_not_one_of_them() -> None:
    # tests/data/blind-2026-12e: 3 x 1.7 km at 4:45/km with walked rests of 104-142 s, a 6.5 min
    # walk, then a kilometre at 3:41/km: read as four loose surges (fartlek), then easy.
    walk = 0.7
    parts: list[Part] = [(860.0, 0.75 * EASY, 0.0), (495.0, 0.95 * THRESHOLD, 0.0),
                         (104.0, walk, 0.0), (495.0, 0.95 * THRESHOLD, 0.0), (142.0, walk, 0.0),
                         (495.0, 0.95 * THRESHOLD, 0.0), (394.0, walk, 0.0),
                         (224.0, 1.22 * THRESHOLD, 0.0), (240.0, walk, 0.0), (270.0, EASY, 0.0)]
    activity = session(parts, laps="manual")
    verdict = classify_summary(replace(activity, streams=None))
    assert verdict.classification.workout is Workout.INTERVALS
    assert verdict.classification.evidence.startswith("3 x 8 min at ")


@pytest.mark.parametrize("streams", [True, False], ids=["laps-and-streams", "laps-only"])
def test_a_steady_finish_after_the_repeats_is_not_counted_among_them(streams: bool) -> None:
    # tests/data/blind-2026-12f: 3 x 8 min at 4:32-4:47/km with walked rests, then 10.5 min at
    # 5:34/km: its evidence said "4 x 1.7 km at 4:33-5:35/km", a repeat that was never run.
    walk = 0.7
    parts: list[Part] = [(450.0, 0.75 * EASY, 0.0)]
    for pace in (0.97, 0.95, 0.96):
        parts += [(482.0, pace * THRESHOLD, 0.0), (200.0, walk, 0.0)]
    parts += [(630.0, 0.81 * THRESHOLD, 0.0), (43.0, 0.75 * EASY, 0.0)]
    activity = session(parts, laps="manual")
    if not streams:
        activity = replace(activity, streams=None)
    result = classify(activity)
    assert result.workout is Workout.INTERVALS
    assert result.evidence.startswith("3 x 8 min at "), result.evidence


def test_summary_of_a_steady_run_with_low_heart_rate_is_decided() -> None:
    activity = replace(session([(2700.0, EASY, 0.0)]), streams=None)
    verdict = classify_summary(activity)
    assert isinstance(verdict, SummaryVerdict)
    assert verdict.decided and verdict.classification.workout is Workout.EASY


def test_summary_without_heart_rate_or_laps_asks_for_the_streams() -> None:
    activity = replace(session([(2700.0, EASY, 0.0)], heart=False), streams=None)
    assert not classify_summary(activity).decided


def auto_laps(activity: Activity, every_m: float = 1000.0) -> Activity:
    """The activity with laps cut every ``every_m`` metres, as a watch's auto-lap does."""
    s = activity.streams
    assert s is not None
    bounds = np.searchsorted(s.distance, np.arange(every_m, s.distance[-1], every_m))
    edges = [0, *[int(b) for b in bounds], len(s.time)]
    return replace(activity, laps=tuple(_lap(s, a, b) for a, b in zip(edges, edges[1:],
                                                                       strict=False) if b > a))


def test_repeats_hidden_in_auto_laps_are_never_called_a_tempo_from_the_summary() -> None:
    # 6 x 1 km with 60 s jogs: kilometre laps smear the jogs into eight fast kilometres.
    activity = auto_laps(session(repeats(6, (1000 / (1.12 * THRESHOLD), 1.12 * THRESHOLD, 0),
                                         (60, 0.8 * EASY, 0))))
    verdict = classify_summary(activity)
    assert not verdict.decided
    assert "one length" in verdict.reason
    assert classify(activity).workout is Workout.INTERVALS


def test_a_tempo_is_decided_from_pressed_laps_but_not_from_auto_laps() -> None:
    tempo = session([(600.0, EASY, 0.0), (1500.0, THRESHOLD, 0.0), (600.0, EASY, 0.0)],
                    laps="manual")
    pressed = classify_summary(tempo)
    assert pressed.decided and pressed.classification.workout is Workout.TEMPO
    assert not classify_summary(auto_laps(tempo)).decided


def test_a_tempo_pressed_in_laps_stays_a_tempo_when_gps_breaks_it_into_surges() -> None:
    # A phone's GPS swings the 25 min block between 1.3x and 0.8x threshold pace.
    rng = np.random.default_rng(0)
    block: list[Part] = []
    while sum(p[0] for p in block) < 1500:
        block += [(float(rng.uniform(20, 120)), 1.3 * THRESHOLD, 0.0),
                  (float(rng.uniform(20, 120)), 0.8 * THRESHOLD, 0.0)]
    activity = session([(600.0, EASY, 0.0), *block, (600.0, EASY, 0.0)])
    assert activity.streams is not None
    edges = [0, 600, 600 + sum(int(p[0]) for p in block), len(activity.streams)]
    pressed = replace(activity, laps=tuple(_lap(activity.streams, a, b)
                                           for a, b in zip(edges, edges[1:], strict=False)))
    assert classify(activity).workout is Workout.FARTLEK  # what the stream alone shows
    verdict = classify_summary(pressed)
    assert verdict.decided and verdict.classification.workout is Workout.TEMPO
    assert classify(pressed) == verdict.classification  # the worker, without streams, agrees


def test_a_strava_workout_whose_laps_show_no_structure_asks_for_the_streams() -> None:
    activity = session([(2700.0, EASY, 0.0)], laps="manual", workout_type=3)
    verdict = classify_summary(activity)
    assert not verdict.decided
    assert verdict.classification.workout is Workout.EASY  # no structure made up for the tag
    assert "tagged a workout on Strava" in verdict.classification.evidence


def test_manual_entries_are_judged_from_their_summary() -> None:
    entry = Activity("Run", START, 6000, 6000, 17000.0, manual=True)
    result = classify(entry)
    assert result.workout is Workout.LONG
    assert "entered by hand" in result.evidence


def test_odd_streams_fall_back_to_a_judgement_without_raising() -> None:
    base = session([(2700.0, EASY, 0.0)])
    assert base.streams is not None
    empty = Streams(np.empty(0), np.empty(0), np.empty(0), np.empty(0, dtype=bool))
    nan_hr = replace(base.streams, heartrate=np.full(len(base.streams), np.nan))
    nan_speed = replace(base.streams, speed=np.full(len(base.streams), np.nan))
    for streams in (empty, nan_hr, nan_speed):
        assert classify(replace(base, streams=streams)).workout in set(Workout)


finite_or_odd = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=60, deadline=None)
@given(
    speed=hnp.arrays(np.float64, st.integers(0, 400), elements=finite_or_odd),
    hr=st.one_of(st.none(), st.floats(-10, 300)),
    distance=finite_or_odd,
    moving=st.floats(0, 200000),
    sport=st.sampled_from(["Run", "TrailRun", "Ride", "WeightTraining", ""]),
    workout_type=st.sampled_from([None, 1, 2, 3, 11, 99]),
)
def test_classify_never_raises_and_always_returns_a_workout(
    speed: np.ndarray, hr: float | None, distance: float, moving: float, sport: str,
    workout_type: int | None,
) -> None:
    n = speed.size
    plausible = np.clip(np.nan_to_num(speed, nan=0.0, posinf=0.0, neginf=0.0), 0.0, 20.0)
    streams = Streams(np.arange(n, dtype=float), np.cumsum(plausible),
                      speed, np.isfinite(speed), np.full(n, hr if hr is not None else np.nan),
                      np.full(n, np.nan))
    laps = (Lap(0.0, moving, moving, distance, avg_hr=hr),) * (n % 3)
    activity = Activity(sport, START, moving, moving, distance, avg_hr=hr, max_hr=hr,
                        laps=laps, streams=streams if n % 2 else None, workout_type=workout_type)
    result = classify(activity)
    assert result.workout in set(Workout)
    assert 0.0 <= result.confidence <= 1.0
    assert result.evidence
    assert classify_summary(activity).classification.workout in set(Workout)


def test_a_custom_profile_changes_what_counts_as_recovery() -> None:
    run = session([(1800.0, 0.95 * EASY, 0.0)], heart=False)
    slower: AthleteProfile = replace(PROFILE, easy_speed=0.8 * EASY)
    faster: AthleteProfile = replace(PROFILE, easy_speed=1.2 * EASY)
    assert classify(run, slower).workout is Workout.EASY
    assert classify(run, faster).workout is Workout.RECOVERY



METRIC_WORDS = re.compile(r"/km|\d km\b|\d m\b")
IMPERIAL_WORDS = re.compile(r"/mi|\d mi\b|\d ft\b")


def test_the_same_run_gets_the_same_label_in_both_units_and_evidence_in_the_asked_one() -> None:
    up, down = (90.0, 2.6, 8.0), (100.0, 0.85 * EASY, -8.0)
    runs = [
        session(repeats(4, (360, 1.15 * THRESHOLD, 0), (180, 0.8 * EASY, 0))),
        session([(600.0, EASY, 0.0), (1500.0, THRESHOLD, 0.0), (480.0, EASY, 0.0)]),
        session([(600.0, EASY, 0.0), *[p for _ in range(6) for p in (up, down)],
                 (600.0, EASY, 0.0)]),
        session([(2700.0, EASY, 0.0)]),
        replace(session([(2700.0, EASY, 0.0)], workout_type=1), streams=None),
        Activity("Ride", START, 5400, 5400, 45000.0),
    ]
    for run in runs:
        metric, imperial = classify(run), classify(run, voice=Voice(units="imperial"))
        assert (metric.workout, metric.confidence) == (imperial.workout, imperial.confidence)
        assert METRIC_WORDS.search(metric.evidence), metric.evidence
        assert not IMPERIAL_WORDS.search(metric.evidence), metric.evidence
        assert IMPERIAL_WORDS.search(imperial.evidence), imperial.evidence
        assert not METRIC_WORDS.search(imperial.evidence), imperial.evidence


def test_imperial_paces_are_the_metric_paces_per_mile() -> None:
    run = session([(2700.0, EASY, 0.0)])
    pace_km = re.search(r"(\d+):(\d\d)/km", classify(run).evidence)
    pace_mi = re.search(r"(\d+):(\d\d)/mi", classify(run, voice=Voice(units="imperial")).evidence)
    assert pace_km is not None and pace_mi is not None
    km_s = 60 * int(pace_km[1]) + int(pace_km[2])
    mi_s = 60 * int(pace_mi[1]) + int(pace_mi[2])
    assert abs(mi_s - 1.609344 * km_s) <= 1.0


def test_hill_climbs_are_told_in_feet_for_imperial_athletes() -> None:
    up, down = (90.0, 2.6, 8.0), (100.0, 0.85 * EASY, -8.0)
    run = session([(600.0, EASY, 0.0), *[p for _ in range(6) for p in (up, down)],
                   (600.0, EASY, 0.0)])
    metric, imperial = classify(run), classify(run, voice=Voice(units="imperial"))
    assert imperial.workout is metric.workout is Workout.HILLS
    metres = re.search(r"climbs of (\d+)(?:-\d+)? m ", metric.evidence)
    feet = re.search(r"climbs of (\d+)(?:-\d+)? ft ", imperial.evidence)
    assert metres is not None and feet is not None
    assert abs(int(feet[1]) - int(metres[1]) / 0.3048) <= 3


def test_units_other_than_metric_or_imperial_are_refused_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="metric, imperial"):
        Voice(units="furlongs")


def test_strides_after_an_easy_run_are_an_easy_run_with_strides() -> None:
    parts: list[Part] = [(2400.0, EASY, 0.0)]
    for _ in range(6):
        parts += [(20.0, 1.3 * THRESHOLD, 0.0), (60.0, 0.6 * EASY, 0.0)]
    result = classify(session(parts + [(120.0, EASY, 0.0)]))
    assert result.workout is Workout.EASY
    assert result.evidence.endswith("with 6 strides")


def test_strides_the_first_of_which_was_built_into_from_the_jog_stay_strides() -> None:
    # The shape of an easy run of the fourth blind batch (sytandas' 7-8K.tcx): six strides
    # after 40 easy minutes, the first run into from a 45 s build-up, which made one bout
    # of 70 s and read the set as intervals.
    parts: list[Part] = [(2400.0, EASY, 0.0), (45.0, THRESHOLD, 0.0)]
    for _ in range(6):
        parts += [(25.0, 1.3 * THRESHOLD, 0.0), (60.0, 0.6 * EASY, 0.0)]
    result = classify(session(parts + [(120.0, EASY, 0.0)]))
    assert result.workout is Workout.EASY, result.evidence
    assert result.evidence.endswith("with 6 strides")


def test_the_same_short_fast_bouts_early_in_a_session_are_sprints() -> None:
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for _ in range(6):
        parts += [(20.0, 1.45 * THRESHOLD, 0.0), (90.0, 1.4, 0.0)]
    assert classify(session(parts + [(600.0, EASY, 0.0)])).workout is Workout.SPRINTS


def test_three_sets_of_sprints_with_breaks_between_are_sprints() -> None:
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for n in range(3):
        for _ in range(4):
            parts += [(20.0, 1.45 * THRESHOLD, 0.0), (90.0, 1.4, 0.0)]
        parts += [(330.0, 1.4, 0.0)] if n < 2 else []
    assert classify(session(parts + [(600.0, EASY, 0.0)])).workout is Workout.SPRINTS


def test_bursts_more_than_ten_minutes_apart_are_no_sprint_set() -> None:
    # Fast bursts of 25 s with rests of 2, 14, 1, 0.5 and 30 min between them: no coach's
    # set, whatever each burst's pace (a phone's GPS after standstills: tests/data/history).
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for rest in (110.0, 840.0, 60.0, 35.0, 1800.0):
        parts += [(25.0, 1.45 * THRESHOLD, 0.0), (rest, EASY, 0.0)]
    result = classify(session(parts + [(25.0, 1.45 * THRESHOLD, 0.0), (600.0, EASY, 0.0)]))
    assert result.workout is not Workout.SPRINTS, result.evidence


def test_the_stop_and_go_hour_after_a_run_is_not_sprints(test_data: Path) -> None:
    folder = test_data / "history" / "runpandas-athlete"
    path = folder / "720bf570-d855-4303-87c2-74d85429e52d.gpx.gz"
    outing = parse_sessions(path.read_bytes(), path.name)[0]
    result = classify(outing)
    assert result.workout is not Workout.SPRINTS, result.evidence


def test_short_bouts_at_jogging_pace_between_walks_are_not_sprints() -> None:
    parts: list[Part] = [(300.0, 1.3, 0.0)]
    for i in range(9):
        parts += [(90.0, 2.1, 0.0), (25.0, 3.2 - 0.03 * i, 0.0), (120.0, 1.3, 0.0)]
    result = classify(session(parts))
    assert result.workout is not Workout.SPRINTS, result.evidence


def test_gps_swings_that_leave_the_heart_rate_flat_are_not_surges() -> None:
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for _ in range(14):
        parts += [(20.0, EASY + 1.3, 0.0), (20.0, EASY - 1.0, 0.0), (140.0, EASY, 0.0)]
    run = session(parts)
    assert run.streams is not None
    flat = 140.0 + np.random.default_rng(1).normal(0, 1.5, len(run.streams))
    result = classify(replace(run, streams=replace(run.streams, heartrate=flat)))
    assert result.workout is Workout.EASY, result.evidence


def lap_of(metres: float) -> Lap:
    return Lap(0.0, metres / 3.0, metres / 3.0, metres)


@pytest.mark.parametrize(("lengths", "even"), [
    ([1000.0, 1001.5, 998.7, 1000.2, 412.0], True),   # auto-laps and a remainder
    ([1609.3, 1609.4, 1610.0, 77.0], True),           # mile auto-laps
    ([2000.0, 400.0, 200.0, 400.0, 2000.0], False),   # pressed at the start of each part
    ([1000.0, 1100.0, 900.0, 1000.0], False),
    ([1000.0, 350.0], False),                         # too few to tell
    ([0.0, 0.0, 0.0], False),
])
def test_laps_of_one_length_are_told_from_pressed_laps(lengths: list[float], even: bool) -> None:
    assert segments.evenly_spaced([lap_of(m) for m in lengths]) is even


def ladder(lengths: list[float], rest_per_rep: float | None, rest_s: float = 90.0,
           pace: float = 1.15 * THRESHOLD) -> list[Part]:
    """A ladder at one pace: repeats of ``lengths`` metres, floats in step with each
    repeat (``rest_per_rep`` of its time) or of ``rest_s`` each."""
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for i, metres in enumerate(lengths):
        parts.append((metres / pace, pace, 0.0))
        if i < len(lengths) - 1:
            rest = rest_per_rep * metres / pace if rest_per_rep is not None else rest_s
            parts.append((rest, EASY, 0.0))
    return parts + [(600.0, EASY, 0.0)]


def test_a_ladder_at_one_pace_with_floats_in_step_is_intervals() -> None:
    # The shape of the track session of tests/data/blind-2026-12 (400, 400, 800, 800,
    # 400 m with floats of the same distance), which read as fartlek.
    result = classify(session(ladder([400, 400, 800, 800, 400], 1.2)))
    assert result.workout is Workout.INTERVALS
    assert result.evidence.startswith("5 x ")


def test_a_pyramid_with_fixed_rests_is_intervals() -> None:
    result = classify(session(ladder([400, 800, 1200, 800, 400], None, rest_s=120.0),
                              heart=False))
    assert result.workout is Workout.INTERVALS


@settings(max_examples=15, deadline=None)
@given(st.permutations([400.0, 600.0, 800.0, 1000.0, 1200.0]),
       st.floats(min_value=0.6, max_value=1.2))
def test_repeats_at_one_pace_with_rests_in_step_are_intervals_in_any_order(
        lengths: list[float], rest_per_rep: float) -> None:
    assert classify(session(ladder(lengths, rest_per_rep))).workout is Workout.INTERVALS


WALK = 1.3  # m/s, a walked recovery


def walked_sets(sets: list[tuple[int, float, float, float]]) -> list[Part]:
    """Sets of repeats with walked recoveries: (count, metres, speed, walk in s) each, the
    walk after a set's last repeat longer."""
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for count, metres, speed, walk in sets:
        for _ in range(count):
            parts += [(metres / speed, speed, 0.0), (walk, WALK, 0.0)]
        parts[-1] = (walk + 30.0, WALK, 0.0)
    return parts + [(900.0, EASY, 0.0)]


def test_three_sets_with_walks_are_intervals() -> None:
    # The shape of tests/data/blind-2026-12c's dm-activity_18135773095: 2 x 800, 6 x 400,
    # 6 x 200 m with 90, 60 and 40 s walks (rests varying 0.40, repeats 0.57), read as a
    # 15 min tempo.
    parts = walked_sets([(2, 800.0, 3.65, 90.0), (6, 400.0, 3.85, 60.0), (6, 200.0, 4.05, 38.0)])
    assert classify(session(parts)).workout is Workout.INTERVALS


def test_a_pyramid_whose_short_repeats_are_faster_is_intervals() -> None:
    # dm-activity_18195188835: 200-400-600-800-1000-800-600-400-200 m, the 200s at 4:06/km
    # and the 1000 at 4:46/km (one effort, not one pace), 1-2 min walks: read as fartlek.
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for metres in [200, 400, 600, 800, 1000, 800, 600, 400, 200]:
        speed = 4.1 * (metres / 200.0) ** -0.095
        parts += [(metres / speed, speed, 0.0), (60.0 + metres / 10.0, WALK, 0.0)]
    assert classify(session(parts[:-1] + [(900.0, EASY, 0.0)])).workout is Workout.INTERVALS


def test_on_off_repeats_whose_floats_beat_the_warm_up_jog_are_intervals() -> None:
    # The shape of tests/data/blind-2026-12c's dm-activity_21900432305: 20 min warm-up at
    # 6:20-6:40/km, 8 x 300 m at 4:15/km each followed by 300 m floated at 5:24/km, read
    # as a 23 min tempo: the floats are faster than the warm-up's jog.
    on, off, warm = 1000 / 255.0, 1000 / 324.0, 1000 / 390.0
    parts: list[Part] = [(1200.0, warm, 0.0)]
    for _ in range(8):
        parts += [(300 / on, on, 0.0), (300 / off, off, 0.0)]
    result = classify(session(parts + [(1200.0, warm, 0.0)]))
    assert result.workout is Workout.INTERVALS
    assert result.evidence.startswith("8 x ")


def test_a_tempo_after_a_slow_warm_up_stays_a_tempo() -> None:
    warm, tempo = 1000 / 390.0, 1000 / 260.0
    for seconds in (900.0, 1500.0):
        parts = [(1200.0, warm, 0.0), (seconds, tempo, 0.0), (900.0, warm, 0.0)]
        assert classify(session(parts)).workout is Workout.TEMPO


def test_pickups_of_two_lengths_scattered_in_an_easy_run_are_not_sets() -> None:
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for seconds, rest in [(90.0, 400.0), (100.0, 250.0), (40.0, 520.0), (45.0, 180.0)]:
        parts += [(seconds, 1.25 * EASY, 0.0), (rest, EASY, 0.0)]
    assert classify(session(parts + [(600.0, EASY, 0.0)])).workout is not Workout.INTERVALS


def test_surges_of_several_paces_with_floats_in_step_stay_fartlek() -> None:
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for metres, factor in [(300, 1.3), (900, 1.0), (500, 1.2), (1200, 0.95), (400, 1.25)]:
        pace = factor * THRESHOLD
        parts += [(metres / pace, pace, 0.0), (metres / pace, EASY, 0.0)]
    assert classify(session(parts)).workout is not Workout.INTERVALS


def test_two_long_repeats_with_a_walk_between_are_intervals() -> None:
    # Issue 20: two reps of 2 km at 3:03/km with a walk between read as "Easy ... steady".
    pace = 1.2 * THRESHOLD
    parts = [(600.0, EASY, 0.0), (2000 / pace, pace, 0.0), (240.0, 1.3, 0.0),
             (2000 / pace, pace, 0.0), (600.0, EASY, 0.0)]
    for heart in (True, False):
        result = classify(session(parts, heart=heart))
        assert result.workout is Workout.INTERVALS
        assert result.evidence.startswith("2 x ")


def test_two_short_pickups_in_an_easy_run_are_not_intervals() -> None:
    parts = [(900.0, EASY, 0.0), (60.0, 1.2 * THRESHOLD, 0.0), (120.0, EASY, 0.0),
             (60.0, 1.2 * THRESHOLD, 0.0), (900.0, EASY, 0.0)]
    assert classify(session(parts)).workout is not Workout.INTERVALS


def test_two_fast_stretches_half_an_hour_apart_are_not_two_repeats() -> None:
    # The shape of a trail run of the fourth blind batch (mwheeler235's BoulderTrailRun of
    # 2024-12-05): two fast laps, the descents, 28 min apart, which the laps alone decided
    # were "2 x 1.6 km, 28 min jog recoveries": a single rest proves no plan.
    pace = 1.2 * THRESHOLD
    parts = [(600.0, EASY, 0.0), (2000 / pace, pace, 0.0), (1680.0, EASY, 0.0),
             (2000 / pace, pace, 0.0), (600.0, EASY, 0.0)]
    activity = session(parts, laps="manual")
    verdict = classify_summary(activity)
    assert verdict.classification.workout is not Workout.INTERVALS, verdict.reason
    assert classify(activity).workout is Workout.EASY


def test_regular_repeats_with_long_regular_floats_are_intervals() -> None:
    # Issue 20: 4 x 1 km with 2 km floats read as an easy run.
    pace = 1.15 * THRESHOLD
    parts = repeats(4, (1000 / pace, pace, 0.0), (2000 / (0.95 * EASY), 0.95 * EASY, 0.0))
    result = classify(session(parts))
    assert result.workout is Workout.INTERVALS
    assert result.evidence.startswith("4 x ")


def test_pickups_with_long_irregular_gaps_stay_a_steady_run() -> None:
    pace = 1.15 * THRESHOLD
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for gap in (500.0, 900.0, 650.0):
        parts += [(240.0, pace, 0.0), (gap, EASY, 0.0)]
    assert classify(session(parts + [(240.0, pace, 0.0), (600.0, EASY, 0.0)])).workout in {
        Workout.EASY, Workout.FARTLEK, Workout.LONG}


def test_a_run_as_fast_as_a_ride_at_a_running_cadence_is_judged_by_its_time() -> None:
    ride_speed = 9.0  # m/s, a footpod reading twice the treadmill's belt
    parts = [(6000.0, ride_speed, 0.0)]
    activity = session(parts, heart=False)
    streams = activity.streams
    assert streams is not None
    steps = replace(activity, streams=replace(streams, cadence=np.full(len(streams), 178.0)))
    pedals = replace(activity, streams=replace(streams, cadence=np.full(len(streams), 88.0)))
    assert classify(steps).workout is Workout.LONG
    assert classify(pedals).workout is Workout.CROSS_TRAINING
    short = replace(steps, streams=replace(streams, cadence=np.full(len(streams), 178.0)),
                    moving_s=1800.0, elapsed_s=1800.0)
    assert classify(short).workout is Workout.OTHER


def test_a_heart_rate_stuck_on_one_value_is_not_read_as_effort() -> None:
    activity = session([(2400.0, EASY, 0.0)])
    streams = activity.streams
    assert streams is not None
    stuck = replace(activity, avg_hr=100.0, max_hr=100.0,
                    streams=replace(streams, heartrate=np.full(len(streams), 100.0)))
    assert "HR" in classify(activity).evidence
    assert "HR" not in classify(stuck).evidence
    assert "HR" not in classify_summary(replace(stuck, streams=None)).classification.evidence


@settings(max_examples=20, deadline=None)
@given(st.floats(min_value=60.0, max_value=200.0))
def test_any_constant_heart_rate_leaves_the_label_of_the_run_without_heart_rate(
        bpm: float) -> None:
    activity = session([(600.0, EASY, 0.0), (1500.0, THRESHOLD, 0.0), (480.0, EASY, 0.0)],
                       heart=False)
    streams = activity.streams
    assert streams is not None
    stuck = replace(activity, avg_hr=bpm, max_hr=bpm,
                    streams=replace(streams, heartrate=np.full(len(streams), bpm)))
    assert classify(stuck).workout is classify(activity).workout


def with_gps_noise(activity: Activity, sd: float, seed: int) -> Activity:
    """The run as a phone records it: speed with correlated noise of ``sd`` m/s."""
    streams = activity.streams
    assert streams is not None
    rng = np.random.default_rng(seed)
    noise = np.convolve(rng.normal(0.0, sd, len(streams)), np.full(5, 0.2), mode="same")
    speed = np.clip(streams.speed + noise, 0.0, None)
    return replace(activity, streams=replace(streams, speed=speed, distance=np.cumsum(speed)))


@pytest.mark.parametrize("seed", [1, 5, 6])
def test_a_long_set_of_45_45_stays_intervals_on_a_noisy_gps(seed: int) -> None:
    # Issue 20: 23 x 45 s on / 45 s float read as a continuous tempo or a fartlek. Noise
    # of a phone's GPS merges two repeats here and splits one there.
    parts = repeats(23, (45.0, 1.15 * THRESHOLD, 0.0), (45.0, 0.95 * EASY, 0.0))
    for heart in (True, False):
        noisy = with_gps_noise(session(parts, heart=heart), 0.9, seed)
        assert classify(noisy).workout is Workout.INTERVALS


def climbs_to(rises: list[float], descents: list[float]) -> list[Part]:
    """Climbs of ``rises`` metres run hard at 8 %, each followed by a jog down of
    ``descents`` metres and a minute on the flat, after a flat warm-up."""
    up, down, grade = 2.9, 3.0, 8.0
    parts: list[Part] = [(600.0, EASY, 0.0)]
    for rise, descent in zip(rises, descents, strict=True):
        parts += [(rise / (up * grade / 100), up, grade),
                  (descent / (down * grade / 100), down, -grade), (60.0, EASY, 0.0)]
    return parts + [(600.0, EASY, 0.0)]


def test_climbs_of_a_warm_up_beside_repeats_marked_by_laps_are_not_hill_repeats() -> None:
    # tests/data/blind-2026-12e: 3 x 2 min marked by the laps, and "3 climbs" of the streams
    # in the warm-up, one repeat and its jog: the laps say which stretches were the efforts.
    up, down, grade = 2.9, 3.0, 8.0
    warm: list[Part] = [(600.0, EASY, 0.0)]
    for _ in range(3):
        warm += [(20 / (up * grade / 100), up, grade), (20 / (down * grade / 100), down, -grade),
                 (60.0, EASY, 0.0)]
    reps: list[Part] = []
    for i in range(4):
        reps += [(120.0, 1.05 * THRESHOLD, 0.0)] + ([(120.0, 0.9 * EASY, 0.0)] if i < 3 else [])
    activity = session(warm + reps + [(600.0, EASY, 0.0)], laps="manual")
    first = activity.laps[:len(warm)]
    warm_up = Lap(0.0, sum(lap.elapsed_s for lap in first), sum(lap.moving_s for lap in first),
                  sum(lap.distance_m for lap in first), avg_hr=first[0].avg_hr,
                  ascent_m=sum(lap.ascent_m or 0.0 for lap in first))
    activity = replace(activity, laps=(warm_up, *activity.laps[len(warm):]))
    result = classify(activity)
    assert result.workout is Workout.INTERVALS
    assert result.evidence.startswith("4 x 2 min at ")
    # The same climbs without laps are hill repeats: the laps decide, not the terrain.
    assert classify(replace(activity, laps=())).workout is Workout.HILLS


def test_climbs_run_slower_over_the_ground_than_the_running_between_are_a_hilly_loop() -> None:
    # tests/data/blind-2026-12e: a 24 min tempo and its warm-up over a loop with a 15-23 m
    # hill, each climb run at 0.89-0.96 of the ground speed between them, read as hill
    # repeats; hill repeats are run up hard and jogged down (1.24-1.30 in blind-2026-12d).
    up, down, grade = 2.7, 3.2, 6.0
    loop: list[Part] = [(20 / (up * grade / 100), up, grade),
                        (20 / (down * grade / 100), down, -grade), (150.0, 3.0, 0.0)]
    result = classify(session([(600.0, EASY, 0.0), *loop * 4, (600.0, EASY, 0.0)]))
    assert result.workout is not Workout.HILLS
    # Run up at the pace of the flat, the same climbs are repeats of the hill.
    attacked = [(20 / (3.1 * grade / 100), 3.1, grade), *loop[1:]]
    assert classify(session([(600.0, EASY, 0.0), *attacked * 4, (600.0, EASY, 0.0)])
                    ).workout is Workout.HILLS


def test_the_first_climb_after_a_flat_warm_up_counts() -> None:
    result = classify(session(climbs_to([45, 45, 45, 45, 45], [45, 45, 45, 45, 45])))
    assert result.workout is Workout.HILLS
    assert result.evidence.startswith("5 climbs of ")


def test_climbs_of_different_heights_to_the_same_top_are_hill_repeats() -> None:
    # Issue 20: hill repeats of 5 climbs of 36-65 m to the same top read as easy.
    rises = [65.0, 36.0, 50.0, 45.0, 58.0]
    for heart in (True, False):
        result = classify(session(climbs_to(rises, rises[1:] + [65.0]), heart=heart))
        assert result.workout is Workout.HILLS
        assert result.evidence.startswith("5 climbs of ")


def with_heart_rate(activity: Activity, levels: list[float], seconds: list[int]) -> Activity:
    """``activity`` with a heart rate held at each level for its seconds (a minute's lag
    between levels), its laps' averages recomputed."""
    hr = np.convolve(np.repeat(levels, seconds).astype(float), np.ones(60) / 60, mode="same")
    hr[:60], hr[-60:] = levels[0], levels[-1]
    assert activity.streams is not None
    streams = replace(activity.streams, heartrate=hr)
    laps = tuple(_lap(streams, int(lap.start_s), int(lap.start_s + lap.elapsed_s))
                 for lap in activity.laps)
    return replace(activity, streams=streams, laps=laps, avg_hr=float(np.mean(hr)),
                   max_hr=float(np.max(hr)))


def test_a_long_runs_faster_half_at_no_higher_heart_rate_than_the_rest_is_not_a_tempo() -> None:
    # The shape of tests/data/blind-2026-12f's xl-14002123070: 62 min out downhill at
    # 5:58/km and HR 155, 47 min back up at 7:15/km and HR 162, two laps, read as
    # "1:02 h continuous" of tempo.
    parts: list[Part] = [(3720.0, 2.79, -2.5), (2820.0, 2.30, 3.0)]
    run = with_heart_rate(session(parts, laps="manual"), [155.0, 162.0], [3720, 2820])
    assert classify(run).workout is Workout.LONG, classify(run).evidence
    assert classify_summary(run).classification.workout is Workout.LONG


def test_a_long_runs_tempo_above_the_heart_rate_of_the_running_around_it_stays_a_tempo() -> None:
    parts: list[Part] = [(2400.0, EASY, 0.0), (1800.0, THRESHOLD, 0.0), (1800.0, EASY, 0.0)]
    run = with_heart_rate(session(parts, laps="manual"), [140.0, 165.0, 145.0],
                          [2400, 1800, 1800])
    assert classify(run).workout is Workout.TEMPO, classify(run).evidence


def test_repeats_between_walked_recoveries_stand_above_the_jog_not_a_steady_lap() -> None:
    # The laps of tests/data/blind-2026-12f's xl-13738732552: 7.5 min warm-up, a 2 min
    # pick-up, 3 x 8 min at 4:32-4:47/km with 3 min walked, then 10.5 min steady at 5:34/km.
    # Counting running laps only, the warm-up and the steady lap set the jog at 5:34/km and
    # two of the three repeats fell under the bar.
    spec = [(450, 2.29), (128, 3.48), (180, 1.4), (482, 3.48), (180, 1.5), (483, 3.48),
            (180, 1.45), (482, 3.66), (260, 1.0), (633, 2.99)]
    laps, start = [], 0.0
    for seconds, speed in spec:
        laps.append(Lap(start, float(seconds), float(seconds), seconds * speed))
        start += seconds
    bouts = lap_efforts(laps).bouts
    assert [round(b.seconds) for b in bouts if b.speed > 3.4] == [482, 483, 482], bouts


def test_a_climb_hiked_between_two_standstills_is_no_recovery_between_repeats() -> None:
    # The laps of tests/data/blind-2026-12c's hs-3981100861.fit: 1.5 km at 6:19/km, 81 s
    # standing, a climb hiked for 20 min, 263 s standing, then 7.9 km at 5:08/km.
    spec = [(564, 2.64), (81, 0.71), (1239, 1.55), (263, 0.32), (2450, 3.24)]
    laps, start = [], 0.0
    for seconds, speed in spec:
        laps.append(Lap(start, float(seconds), float(seconds), seconds * speed))
        start += seconds
    assert lap_efforts(laps).bouts == ()



def test_sets_that_run_one_sequence_of_lengths_again_are_intervals() -> None:
    # The laps of tests/data/blind-2026-12f's xl-12849458322: a 214 m, then three sets of a
    # stride, 200, 300 and (but the first) 400 m, faster the shorter (3:01-4:01/km), on
    # 1-2.5 min jogs with 3-5.5 min between sets, then two more 400s: reps whose lengths
    # change every time, read as fartlek.
    reps = [(214, 43), (87, 18), (201, 43), (319, 75), (90, 20), (215, 46), (311, 66),
            (406, 97), (83, 20), (230, 43), (319, 70), (409, 99), (444, 94), (424, 104)]
    rests = [303, 130, 110, 327, 137, 99, 60, 192, 150, 98, 64, 302, 429]
    parts: list[Part] = [(900.0, EASY, 0.0)]
    for (metres, seconds), rest in zip(reps, [*rests, 0], strict=True):
        parts.append((float(seconds), metres / seconds, 0.0))
        if rest:
            parts.append((float(rest), WALK if rest > 200 else 2.0, 0.0))
    run = session(parts + [(900.0, EASY, 0.0)], laps="manual")
    assert classify_summary(run).classification.workout is Workout.INTERVALS
    assert classify(run).workout is Workout.INTERVALS, classify(run).evidence

