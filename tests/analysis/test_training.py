"""Tests for analysis.training, analysis.recovery and analysis.consistency."""

from __future__ import annotations

import gzip
import math
import statistics
from datetime import date, timedelta
from pathlib import Path

import gpxpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.consistency import MIN_EFFICIENCY_RUNS
from analysis.model import SessionRecord, Workout
from analysis.recovery import ACUTE_DAYS, CHRONIC_DAYS, LOAD_HISTORY_DAYS
from analysis.training import (
    KEY_STIMULI,
    MUSCLE_GROUPS,
    TOO_FAST,
    TOO_SLOW,
    clean,
    summarize,
)
from tests.analysis.records import NOW, session


def test_three_hard_days_in_a_row_make_a_streak_of_three() -> None:
    history = [session(3, hard=False), session(2, hard=True), session(1, hard=True)]
    current = session(0, Workout.INTERVALS, hard=True)
    recovery = summarize(current, history, NOW).recovery
    assert recovery.hard_streak == 3
    assert "streak" in recovery.warnings


def test_two_hard_sessions_on_one_day_count_as_one_day_and_a_rest_day_breaks_the_streak() -> None:
    history = [session(3, hard=True), session(1, hard=True), session(1.1, hard=True)]
    current = session(0, Workout.TEMPO, hard=True)
    assert summarize(current, history, NOW).recovery.hard_streak == 2


def test_easy_current_session_has_no_hard_streak() -> None:
    history = [session(2, hard=True), session(1, hard=True)]
    recovery = summarize(session(0), history, NOW).recovery
    assert recovery.hard_streak == 0
    assert "streak" not in recovery.warnings


def test_week_of_20_km_then_30_km_reports_a_50_percent_jump() -> None:
    history = [session(d, km=10) for d in (8, 10)] + [session(d, km=10) for d in (2, 4)]
    recovery = summarize(session(0, km=10), history, NOW).recovery
    assert recovery.run_distance_prev_7d == 20_000
    assert recovery.run_distance_7d == 30_000
    assert recovery.distance_jump == pytest.approx(30 / 20 - 1)
    assert "jump" in recovery.warnings


def test_steady_weeks_raise_no_jump() -> None:
    history = [session(d, km=10) for d in (8, 10, 12, 2, 4)]
    recovery = summarize(session(6, km=10), history, NOW).recovery
    assert recovery.distance_jump == pytest.approx(0.0)
    assert "jump" not in recovery.warnings


def test_28_days_of_only_easy_runs_lack_variety() -> None:
    history = [session(d) for d in range(27, 0, -2)]
    variety = summarize(session(0), history, NOW).variety
    assert variety.runs == len(history) + 1
    assert variety.run_counts == ((Workout.EASY, variety.runs),)
    assert variety.quality_share == 0
    assert variety.lacks_variety
    assert variety.missing == KEY_STIMULI
    assert variety.muscles_neglected == MUSCLE_GROUPS


def test_hills_within_14_days_are_not_missing_but_sprints_older_than_that_are() -> None:
    history = [session(d) for d in range(20, 0, -3)]
    history += [session(5, Workout.HILLS), session(16, Workout.SPRINTS)]
    variety = summarize(session(0), history, NOW).variety
    assert dict(variety.days_since) == {
        Workout.HILLS: 5, Workout.SPRINTS: 16, Workout.INTERVALS: None
    }
    assert variety.missing == (Workout.INTERVALS, Workout.SPRINTS)
    assert set(variety.muscles_loaded) == {"quads", "glutes", "hamstrings", "calves"}
    assert not variety.lacks_variety


def test_quality_share_is_the_fraction_of_quality_runs() -> None:
    history = [session(d) for d in (1, 2, 4, 5)] + [session(3, Workout.TEMPO)]
    variety = summarize(session(0, Workout.INTERVALS), history, NOW).variety
    assert variety.quality_share == pytest.approx(2 / 6)


def test_two_strength_sessions_this_week_meet_the_two_to_three_target() -> None:
    history = [session(1, Workout.STRENGTH, sport="WeightTraining", km=0.0)]
    current = session(0, Workout.STRENGTH, sport="WeightTraining", km=0.0)
    strength = summarize(current, history, NOW).strength
    assert (strength.this_week, strength.last_7_days) == (2, 2)
    assert strength.on_target


def test_strength_before_monday_counts_in_the_last_7_days_only() -> None:
    sunday = (NOW.date() - date(2024, 5, 12)).days
    history = [session(sunday, sport="WeightTraining", km=0.0)]
    strength = summarize(session(0), history, NOW).strength
    assert (strength.this_week, strength.last_7_days) == (0, 1)
    assert not strength.on_target


def _plain_acwr(loads_by_day: dict[int, float], first_day: int) -> float:
    """The EWMA-ACWR written as a reader would check it by hand, oldest day first."""
    days = list(range(first_day, -1, -1))
    seed = sum(loads_by_day.get(d, 0.0) for d in days[:CHRONIC_DAYS]) / CHRONIC_DAYS
    acute = chronic = seed
    for day in days:
        load = loads_by_day.get(day, 0.0)
        acute = load * 2 / 8 + acute * (1 - 2 / 8)
        chronic = load * 2 / 29 + chronic * (1 - 2 / 29)
    return acute / chronic


def test_acwr_matches_a_plain_ewma_computation_with_rest_days_as_zeros() -> None:
    loads = {40: 50.0, 33: 80.0, 30: 60.0, 21: 90.0, 12: 70.0, 6: 120.0, 5: 110.0, 2: 150.0}
    history = [session(d, load=load) for d, load in loads.items()]
    recovery = summarize(session(0, load=140.0), history, NOW).recovery
    assert recovery.acwr == pytest.approx(_plain_acwr({**loads, 0: 140.0}, 40))


def test_acwr_ignores_days_older_than_the_load_history_window() -> None:
    history = [session(d, load=100.0) for d in range(LOAD_HISTORY_DAYS + 30, 0, -3)]
    recovery = summarize(session(0, load=100.0), history, NOW).recovery
    loads = {d: 100.0 for d in range(0, LOAD_HISTORY_DAYS, 3)}
    assert recovery.acwr == pytest.approx(_plain_acwr(loads, LOAD_HISTORY_DAYS - 1))


def test_sudden_load_after_quiet_weeks_is_a_high_acwr_and_quiet_week_a_low_one() -> None:
    quiet = [session(d, load=30.0) for d in range(40, 7, -2)]
    busy = quiet + [session(d, load=150.0, hard=True) for d in range(6, 0, -1)]
    assert "acwr_high" in summarize(session(0, load=150.0), busy, NOW).recovery.warnings
    steady = [session(d, load=80.0) for d in range(40, 7, -1)]
    assert "acwr_low" in summarize(session(0, load=10.0), steady, NOW).recovery.warnings


def test_acwr_is_unknown_with_less_than_four_weeks_of_history() -> None:
    history = [session(d) for d in range(CHRONIC_DAYS - 2, 0, -2)]
    assert summarize(session(0), history, NOW).recovery.acwr is None


def test_monotony_and_strain_follow_foster_with_rest_days_as_zeros() -> None:
    loads = {0: 100.0, 1: 60.0, 3: 80.0, 4: 60.0, 6: 90.0}
    history = [session(d, load=x) for d, x in loads.items() if d]
    recovery = summarize(session(0, load=loads[0]), history, NOW).recovery
    week = [loads.get(d, 0.0) for d in range(ACUTE_DAYS)]
    expected = statistics.mean(week) / statistics.pstdev(week)
    assert recovery.rest_days_7d == 2
    assert recovery.week_load == sum(week)
    assert recovery.monotony == pytest.approx(expected)
    assert recovery.strain == pytest.approx(sum(week) * expected)


def test_identical_daily_loads_leave_monotony_undefined() -> None:
    history = [session(d, load=50.0) for d in range(1, ACUTE_DAYS)]
    recovery = summarize(session(0, load=50.0), history, NOW).recovery
    assert recovery.monotony is None and recovery.strain is None


def test_sessions_after_now_are_ignored() -> None:
    later = session(-1, Workout.HILLS, km=30)
    summary = summarize(session(0), [session(2), later], NOW)
    assert summary.variety.runs == 2
    assert Workout.HILLS in summary.variety.missing
    assert clean(session(0), [later], NOW).future == 1


def test_duplicates_of_one_activity_count_once_and_the_current_copy_wins() -> None:
    stored = session(0, km=5, activity_id=77)
    fresh = session(0, Workout.TEMPO, km=8, activity_id=77)
    history = [session(3, activity_id=5), session(3, activity_id=5), stored]
    cleaned = clean(fresh, history, NOW)
    assert cleaned.sessions == (history[0], fresh)
    assert cleaned.duplicates == 2
    assert summarize(fresh, history, NOW).recovery.run_distance_7d == 16_000


def test_ride_saved_as_run_and_watch_left_running_are_left_out_as_glitches() -> None:
    ride = session(3, km=22.1, minutes=47.6)  # shared/data history, 2020-09-20
    left_running = session(5, km=21.8, minutes=1437)  # shared/data history, 2021-01-17
    summary = summarize(session(0), [ride, left_running, session(2)], NOW)
    assert [(g.record, g.reason) for g in summary.glitches] == [
        (left_running, TOO_SLOW), (ride, TOO_FAST)
    ]
    assert summary.variety.runs == 2
    assert summary.recovery.run_distance_7d == 16_000
    assert summary.current_glitch is None


def test_an_implausible_current_session_is_reported_as_such() -> None:
    current = session(0, km=math.nan)
    summary = summarize(current, [session(2)], NOW)
    assert summary.current_glitch is not None and summary.current_glitch.record == current
    assert summary.variety.runs == 1


def test_empty_history_gives_a_summary_of_the_current_session_alone() -> None:
    summary = summarize(session(0, Workout.INTERVALS, hard=True), [], NOW)
    assert summary.variety.runs == 1
    assert summary.recovery.hard_streak == 1
    assert summary.recovery.acwr is None
    assert summary.consistency.weeks == 1
    assert summary.consistency.distance_trend is None


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        summarize(session(0), [], NOW.replace(tzinfo=None))


def test_runs_per_week_and_weeks_with_a_run_over_whole_weeks() -> None:
    history = [session(d) for d in (40, 36, 20, 15, 9, 3)] + [session(4, sport="Ride")]
    consistency = summarize(session(0), history, NOW).consistency
    assert consistency.weeks == 5  # days 0-34: days 36 and 40 fall outside
    assert consistency.runs == 5
    assert consistency.runs_per_week == pytest.approx(5 / 5)
    assert consistency.weeks_with_run == 3  # weeks of days 0-6, 7-13, 14-20


def test_distance_trend_is_the_least_squares_slope_over_the_mean() -> None:
    weekly_km = [10.0, 14.0, 13.0, 19.0, 22.0, 24.0]
    history = [session(7 * (5 - w) + 1, km=km, minutes=6 * km) for w, km in enumerate(weekly_km)]
    history.append(session(7 * 6 - 1, km=0.0, sport="Walk"))
    consistency = summarize(session(0, km=0.0, sport="Walk"), history, NOW).consistency
    slope = statistics.linear_regression(range(6), weekly_km).slope
    assert consistency.weekly_distance_m == tuple(km * 1000 for km in weekly_km)
    assert consistency.distance_trend == pytest.approx(slope / statistics.mean(weekly_km))


def test_efficiency_compares_early_and_recent_easy_runs_at_the_same_heart_rate() -> None:
    early = [session(d, km=8.0, minutes=48, hr=150) for d in (33, 31, 29, 27)]
    recent = [session(d, km=8.4, minutes=48, hr=150) for d in (9, 6, 3)]
    tempo = session(20, Workout.TEMPO, km=10, minutes=45, hr=170)
    walk = session(45, sport="Walk", km=3)
    current = session(0, km=8.4, minutes=48, hr=150)
    consistency = summarize(current, [*early, *recent, tempo, walk], NOW).consistency
    assert consistency.efficiency_runs == len(early) + len(recent) + 1
    assert consistency.efficiency_change == pytest.approx(8.4 / 8.0 - 1)


def test_missing_heart_rate_leaves_efficiency_unknown() -> None:
    history = [session(d, hr=150 if d in (4, 10, 16) else None) for d in range(40, 0, -3)]
    consistency = summarize(session(0), history, NOW).consistency
    assert consistency.efficiency_runs < MIN_EFFICIENCY_RUNS
    assert consistency.efficiency_change is None


_records = st.builds(
    lambda minutes_ago, workout, sport, km, minutes, load, hard, hr, ident: SessionRecord(
        start=NOW - timedelta(minutes=minutes_ago), sport=sport, workout=workout,
        distance_m=km * 1000, moving_s=minutes * 60, load=load, hard=hard, avg_hr=hr,
        activity_id=ident,
    ),
    st.integers(-3000, 150 * 1440),
    st.sampled_from(Workout),
    st.sampled_from(["Run", "TrailRun", "Ride", "WeightTraining", "Walk"]),
    st.floats(-1, 60) | st.just(math.nan),
    st.floats(0, 3000) | st.just(math.inf),
    st.floats(-10, 400) | st.just(math.nan),
    st.booleans(),
    st.none() | st.floats(0, 250),
    st.none() | st.integers(1, 40),
)


@settings(max_examples=200, deadline=None)
@given(current=_records, history=st.lists(_records, max_size=40))
def test_any_history_gives_bounded_figures_and_duplicates_change_nothing(
    current: SessionRecord, history: list[SessionRecord]
) -> None:
    summary = summarize(current, history, NOW)
    assert 0 <= summary.variety.quality_share <= 1
    assert 0 <= summary.recovery.rest_days_7d <= ACUTE_DAYS
    assert summary.recovery.hard_streak >= 0
    assert 0 <= summary.consistency.weeks_with_run <= summary.consistency.weeks
    for value in (summary.recovery.acwr, summary.recovery.monotony,
                  summary.consistency.distance_trend, summary.consistency.efficiency_change):
        assert value is None or math.isfinite(value)
    doubled = summarize(current, history + history, NOW)
    assert (doubled.variety, doubled.strength) == (summary.variety, summary.strength)
    assert (doubled.recovery, doubled.consistency) == (summary.recovery, summary.consistency)
    assert len(doubled.glitches) == len(summary.glitches)


def _real_history(folder: Path) -> list[SessionRecord]:
    """The shared runs as a naive parser stores them: elapsed time taken as moving time."""
    records = []
    for ident, path in enumerate(sorted(folder.glob("*.gpx.gz"))):
        gpx = gpxpy.parse(gzip.decompress(path.read_bytes()).decode())
        bounds = gpx.get_time_bounds()
        assert bounds.start_time is not None and bounds.end_time is not None
        seconds = (bounds.end_time - bounds.start_time).total_seconds()
        beats = [float(hr) for hr in _heart_rates(gpx)]
        records.append(SessionRecord(
            start=bounds.start_time, sport="Run", workout=Workout.EASY,
            distance_m=gpx.length_2d(), moving_s=seconds, load=seconds / 60, hard=False,
            avg_hr=statistics.mean(beats) if beats else None, activity_id=ident,
        ))
    return records


def _heart_rates(gpx: gpxpy.gpx.GPX) -> list[str]:
    points = (p for t in gpx.tracks for s in t.segments for p in s.points)
    return [
        node.text for p in points for ext in p.extensions for node in ext.iter()
        if node.tag.endswith("}hr") and node.text
    ]


def test_real_year_of_runs_names_both_known_glitches(test_data: Path) -> None:
    history = _real_history(test_data / "history" / "runpandas-athlete")
    last = max(history, key=lambda r: r.start)
    now = last.start + timedelta(hours=2)
    cleaned = clean(last, history, now)
    glitch_days = {(g.record.start.date().isoformat(), g.reason) for g in cleaned.glitches}
    assert glitch_days == {("2020-09-20", TOO_FAST), ("2021-01-17", TOO_SLOW)}
    assert len(cleaned.sessions) == len(history) - 2
    summary = summarize(last, history, now)
    assert summary.consistency.weeks == 8
    assert summary.consistency.runs == sum(
        1 for r in history if timedelta(0) <= now.date() - r.start.date() < timedelta(56)
    )
    assert summary.consistency.efficiency_runs == summary.consistency.runs
    assert summary.consistency.efficiency_change is not None
