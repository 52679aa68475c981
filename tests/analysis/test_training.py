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
from analysis.recovery import ACUTE_DAYS, RETURN_DAYS_OFF
from analysis.training import (
    KEY_STIMULI,
    MUSCLE_GROUPS,
    OUTING_GAP_S,
    TOO_FAST,
    TOO_SLOW,
    Past,
    clean,
    summarize,
)
from tests.analysis.records import NOW, known, session


def test_three_hard_days_in_a_row_make_a_streak_of_three() -> None:
    history = [session(3, hard=False), session(2, hard=True), session(1, hard=True)]
    current = session(0, Workout.INTERVALS, hard=True)
    recovery = summarize(current, known(history), NOW).recovery
    assert recovery.hard_streak == 3
    assert "streak" in recovery.warnings


def test_two_hard_sessions_on_one_day_count_as_one_day_and_a_rest_day_breaks_the_streak() -> None:
    history = [session(3, hard=True), session(1, hard=True), session(1.1, hard=True)]
    current = session(0, Workout.TEMPO, hard=True)
    assert summarize(current, known(history), NOW).recovery.hard_streak == 2


def test_easy_current_session_has_no_hard_streak() -> None:
    history = [session(2, hard=True), session(1, hard=True)]
    recovery = summarize(session(0), known(history), NOW).recovery
    assert recovery.hard_streak == 0
    assert "streak" not in recovery.warnings


def test_week_of_20_km_then_30_km_reports_a_50_percent_jump_on_the_week_before() -> None:
    history = [session(d, km=10) for d in (8, 10)] + [session(d, km=10) for d in (2, 4)]
    recovery = summarize(session(0, km=10), known(history, days=14), NOW).recovery
    assert recovery.usual_weeks == 1
    assert recovery.usual_run_distance == 20_000
    assert recovery.run_distance_7d == 30_000
    assert recovery.run_change == pytest.approx(30 / 20 - 1)
    assert "run_jump" in recovery.warnings


def test_steady_weeks_raise_no_jump() -> None:
    history = [session(d, km=10) for d in (8, 10, 12, 2, 4)]
    recovery = summarize(session(6, km=10), known(history, days=14), NOW).recovery
    assert recovery.run_change == pytest.approx(0.0)
    assert not {"run_jump", "load"} & set(recovery.warnings)


def test_28_days_of_only_easy_runs_lack_variety() -> None:
    history = [session(d) for d in range(27, 0, -2)]
    variety = summarize(session(0), known(history), NOW).variety
    assert variety.runs == len(history) + 1
    assert variety.run_counts == ((Workout.EASY, variety.runs),)
    assert variety.quality_share == 0
    assert variety.lacks_variety
    assert variety.missing == KEY_STIMULI
    assert variety.muscles_neglected == MUSCLE_GROUPS


def test_hills_within_14_days_are_not_missing_but_sprints_older_than_that_are() -> None:
    history = [session(d) for d in range(20, 0, -3)]
    history += [session(5, Workout.HILLS), session(16, Workout.SPRINTS)]
    variety = summarize(session(0), known(history), NOW).variety
    assert dict(variety.days_since) == {
        Workout.HILLS: 5, Workout.SPRINTS: 16, Workout.INTERVALS: None, Workout.FARTLEK: None
    }
    assert variety.missing == (Workout.INTERVALS, Workout.SPRINTS, Workout.FARTLEK)
    assert set(variety.muscles_loaded) == {"quads", "glutes", "hamstrings", "calves"}
    assert not variety.lacks_variety


def test_quality_share_is_the_fraction_of_quality_runs() -> None:
    history = [session(d) for d in (1, 2, 4, 5)] + [session(3, Workout.TEMPO)]
    variety = summarize(session(0, Workout.INTERVALS), known(history, days=28), NOW).variety
    assert variety is not None and variety.quality_share == pytest.approx(2 / 6)


def test_two_strength_sessions_this_week_meet_the_two_to_three_target() -> None:
    history = [session(1, Workout.STRENGTH, sport="WeightTraining", km=0.0)]
    current = session(0, Workout.STRENGTH, sport="WeightTraining", km=0.0)
    strength = summarize(current, known(history, days=28), NOW).strength
    assert strength is not None
    assert (strength.this_week, strength.last_7_days) == (2, 2)
    assert strength.on_target


def test_strength_before_monday_counts_in_the_last_7_days_only() -> None:
    sunday = (NOW.date() - date(2024, 5, 12)).days
    history = [session(sunday, sport="WeightTraining", km=0.0)]
    strength = summarize(session(0), known(history, days=28), NOW).strength
    assert strength is not None
    assert (strength.this_week, strength.last_7_days) == (0, 1)
    assert not strength.on_target


def test_strength_counts_only_strength_training_not_generic_workouts() -> None:
    volleyball = session(1, Workout.STRENGTH, sport="Workout", km=0.0)
    hiit = session(2, Workout.STRENGTH, sport="HighIntensityIntervalTraining", km=0.0)
    gym = session(1, Workout.STRENGTH, sport="WeightTraining", km=0.0)
    summary = summarize(session(0), known([volleyball, hiit, gym], days=28), NOW)
    assert summary.strength is not None
    assert (summary.strength.this_week, summary.strength.last_7_days) == (1, 1)


def test_strength_is_unknown_when_history_does_not_reach_back_to_monday() -> None:
    history = [session(1, sport="WeightTraining", km=0.0)]
    assert NOW.weekday() == 2
    assert summarize(session(0), known(history, days=2), NOW).strength is None
    strength = summarize(session(0), known(history, days=3), NOW).strength
    assert strength is not None and (strength.this_week, strength.last_7_days) == (1, None)


def test_load_ratio_is_the_last_7_days_over_the_average_week_of_the_4_before() -> None:
    loads = {40: 50.0, 33: 80.0, 30: 60.0, 21: 90.0, 12: 70.0, 6: 120.0, 5: 110.0, 2: 150.0}
    history = [session(d, load=load) for d, load in loads.items()]
    recovery = summarize(session(0, load=140.0), known(history), NOW).recovery
    usual = (80.0 + 60.0 + 90.0 + 70.0) / 4  # days 7-34
    assert recovery.usual_weeks == 4
    assert recovery.week_load == 120.0 + 110.0 + 150.0 + 140.0
    assert recovery.acwr == pytest.approx(recovery.week_load / usual)


def test_load_ratio_uses_the_whole_known_weeks_when_fewer_than_four() -> None:
    history = [session(d, load=60.0) for d in range(20, 0, -2)]
    recovery = summarize(session(0, load=60.0), known(history, days=22), NOW).recovery
    assert recovery.usual_weeks == 2  # days 7-20
    assert recovery.usual_load == pytest.approx(7 * 60.0 / 2)
    assert recovery.acwr == pytest.approx(4 * 60.0 / (7 * 60.0 / 2))


def test_sudden_load_after_quiet_weeks_is_a_load_warning() -> None:
    quiet = [session(d, load=30.0, km=4) for d in range(40, 7, -2)]
    busy = quiet + [session(d, load=150.0, hard=True) for d in range(6, 0, -1)]
    assert "load" in summarize(session(0, load=150.0), known(busy), NOW).recovery.warnings


def test_a_week_with_less_running_than_usual_is_never_a_load_jump() -> None:
    runs = [session(d, km=12, load=60.0) for d in range(34, 7, -2)]
    week = [session(3, sport="Ride", km=80, load=400.0), session(1, km=5, load=40.0)]
    recovery = summarize(session(0, km=5, load=40.0), known(runs + week), NOW).recovery
    assert recovery.acwr is not None and recovery.acwr > 1.5
    assert recovery.run_change is not None and recovery.run_change < 0
    assert not {"load", "run_jump"} & set(recovery.warnings)


def test_load_ratio_is_unknown_without_a_whole_week_before_the_last_seven_days() -> None:
    history = [session(d) for d in range(12, 0, -2)]
    assert summarize(session(0), known(history, days=13), NOW).recovery.acwr is None


def test_a_session_after_two_weeks_off_is_a_return_not_a_ratio() -> None:
    history = [session(d) for d in range(60, 15, -2)]
    recovery = summarize(session(0), known(history), NOW).recovery
    assert recovery.days_off == 15 and not recovery.days_off_open
    assert recovery.returning and recovery.warnings[0] == "return"
    assert "load" not in recovery.warnings


def test_days_off_before_the_first_known_session_count_to_the_history_start() -> None:
    recovery = summarize(session(0), known([], days=30), NOW).recovery
    assert (recovery.days_off, recovery.days_off_open) == (29, True)
    assert not recovery.returning, "days before which nothing is on record are no break"
    short = summarize(session(0), known([session(3)], days=RETURN_DAYS_OFF), NOW).recovery
    assert (short.days_off, short.returning) == (2, False)


def test_monotony_and_strain_follow_foster_with_rest_days_as_zeros() -> None:
    loads = {0: 100.0, 1: 60.0, 3: 80.0, 4: 60.0, 6: 90.0}
    history = [session(d, load=x) for d, x in loads.items() if d]
    recovery = summarize(session(0, load=loads[0]), known(history), NOW).recovery
    week = [loads.get(d, 0.0) for d in range(ACUTE_DAYS)]
    expected = statistics.mean(week) / statistics.pstdev(week)
    assert recovery.rest_days_7d == 2
    assert recovery.week_load == sum(week)
    assert recovery.monotony == pytest.approx(expected)
    assert recovery.strain == pytest.approx(sum(week) * expected)


def test_identical_daily_loads_leave_monotony_undefined() -> None:
    history = [session(d, load=50.0) for d in range(1, ACUTE_DAYS)]
    recovery = summarize(session(0, load=50.0), known(history), NOW).recovery
    assert recovery.monotony is None and recovery.strain is None


def test_sessions_after_now_are_ignored() -> None:
    later = session(-1, Workout.HILLS, km=30)
    summary = summarize(session(0), known([session(2), later], days=28), NOW)
    assert summary.variety is not None and summary.variety.runs == 2
    assert Workout.HILLS in summary.variety.missing
    assert clean(session(0), [later], NOW).future == 1


def test_duplicates_of_one_activity_count_once_and_the_current_copy_wins() -> None:
    stored = session(0, km=5, activity_id=77)
    fresh = session(0, Workout.TEMPO, km=8, activity_id=77)
    history = [session(3, activity_id=5), session(3, activity_id=5), stored]
    cleaned = clean(fresh, history, NOW)
    assert cleaned.sessions == (history[0], fresh)
    assert cleaned.duplicates == 2
    assert summarize(fresh, known(history), NOW).recovery.run_distance_7d == 16_000


def test_ride_saved_as_run_and_watch_left_running_are_left_out_as_glitches() -> None:
    ride = session(3, km=22.1, minutes=47.6)  # shared/data history, 2020-09-20
    left_running = session(5, km=21.8, minutes=1437)  # shared/data history, 2021-01-17
    summary = summarize(session(0), known([ride, left_running, session(2)], days=28), NOW)
    assert [(g.record, g.reason) for g in summary.glitches] == [
        (left_running, TOO_SLOW), (ride, TOO_FAST)
    ]
    assert summary.variety is not None and summary.variety.runs == 2
    assert summary.recovery.run_distance_7d == 16_000
    assert summary.current_glitch is None


def test_an_implausible_current_session_is_reported_as_such() -> None:
    current = session(0, km=math.nan)
    summary = summarize(current, known([session(2)], days=28), NOW)
    assert summary.current_glitch is not None and summary.current_glitch.record == current
    assert summary.variety is not None and summary.variety.runs == 1


def test_without_history_nothing_about_the_weeks_before_is_claimed() -> None:
    summary = summarize(session(0, Workout.INTERVALS, hard=True), None, NOW)
    assert (summary.history_known, summary.known_days) == (False, 0)
    assert summary.variety is None and summary.strength is None
    assert summary.consistency is None
    recovery = summary.recovery
    assert recovery.hard_streak == 1
    assert (recovery.rest_days_7d, recovery.acwr, recovery.monotony) == (None, None, None)
    assert recovery.days_off is None and not recovery.returning


def test_an_empty_list_is_no_history_but_an_empty_window_is_a_known_one() -> None:
    assert known([]) is None
    summary = summarize(session(0), known([], days=10), NOW)
    assert summary.history_known and summary.known_days == 10
    assert summary.recovery.rest_days_7d == ACUTE_DAYS - 1
    assert summary.consistency is not None and summary.consistency.weeks == 1


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone"):
        summarize(session(0), None, NOW.replace(tzinfo=None))


def test_runs_per_week_and_weeks_with_a_run_over_whole_weeks() -> None:
    history = [session(d) for d in (40, 36, 20, 15, 9, 3)] + [session(4, sport="Ride")]
    consistency = summarize(session(0), known(history), NOW).consistency
    assert consistency.weeks == 5  # days 0-34: days 36 and 40 fall outside
    assert consistency.runs == 5
    assert consistency.runs_per_week == pytest.approx(5 / 5)
    assert consistency.weeks_with_run == 3  # weeks of days 0-6, 7-13, 14-20


def test_distance_trend_is_the_least_squares_slope_over_the_mean() -> None:
    weekly_km = [10.0, 14.0, 13.0, 19.0, 22.0, 24.0]
    history = [session(7 * (5 - w) + 1, km=km, minutes=6 * km) for w, km in enumerate(weekly_km)]
    history.append(session(7 * 6 - 1, km=0.0, sport="Walk"))
    consistency = summarize(session(0, km=0.0, sport="Walk"), known(history), NOW).consistency
    slope = statistics.linear_regression(range(6), weekly_km).slope
    assert consistency.weekly_distance_m == tuple(km * 1000 for km in weekly_km)
    assert consistency.distance_trend == pytest.approx(slope / statistics.mean(weekly_km))


def test_efficiency_compares_early_and_recent_easy_runs_at_the_same_heart_rate() -> None:
    early = [session(d, km=8.0, minutes=48, hr=150) for d in (33, 31, 29, 27)]
    recent = [session(d, km=8.4, minutes=48, hr=150) for d in (9, 6, 3)]
    tempo = session(20, Workout.TEMPO, km=10, minutes=45, hr=170)
    walk = session(45, sport="Walk", km=3)
    current = session(0, km=8.4, minutes=48, hr=150)
    consistency = summarize(current, known([*early, *recent, tempo, walk]), NOW).consistency
    assert consistency is not None
    assert consistency.efficiency_runs == len(early) + len(recent) + 1
    assert consistency.efficiency_change == pytest.approx(8.4 / 8.0 - 1)


def test_missing_heart_rate_leaves_efficiency_unknown() -> None:
    history = [session(d, hr=150 if d in (4, 10, 16) else None) for d in range(40, 0, -3)]
    consistency = summarize(session(0), known(history), NOW).consistency
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
@given(current=_records, history=st.lists(_records, max_size=40),
       days=st.none() | st.integers(1, 120))
def test_any_history_gives_bounded_figures_and_duplicates_change_nothing(
    current: SessionRecord, history: list[SessionRecord], days: int | None
) -> None:
    summary = summarize(current, known(history, days), NOW)
    variety, recovery, consistency = summary.variety, summary.recovery, summary.consistency
    assert variety is None or 0 <= variety.quality_share <= 1
    assert recovery.rest_days_7d is None or 0 <= recovery.rest_days_7d <= ACUTE_DAYS
    assert 0 <= recovery.hard_streak <= max(1, summary.known_days)
    assert consistency is None or 0 <= consistency.weeks_with_run <= consistency.weeks
    for value in (recovery.acwr, recovery.monotony,
                  consistency and consistency.distance_trend,
                  consistency and consistency.efficiency_change):
        assert value is None or math.isfinite(value)
    doubled = summarize(current, known(history + history, days), NOW)
    assert (doubled.variety, doubled.strength) == (summary.variety, summary.strength)
    assert (doubled.recovery, doubled.consistency) == (summary.recovery, summary.consistency)
    assert len(doubled.glitches) == len(summary.glitches)


@settings(max_examples=200, deadline=None)
@given(current=_records, history=st.lists(_records, max_size=40), days=st.integers(0, 120))
def test_figures_never_reach_past_the_known_days(
    current: SessionRecord, history: list[SessionRecord], days: int
) -> None:
    summary = summarize(current, known(history, days) if days else None, NOW)
    known_days = summary.known_days
    assert (summary.variety is not None) == (known_days >= ACUTE_DAYS)
    assert (summary.recovery.rest_days_7d is not None) == (known_days >= ACUTE_DAYS)
    assert summary.recovery.acwr is None or known_days >= 2 * ACUTE_DAYS
    assert summary.consistency is None or summary.consistency.weeks <= known_days // ACUTE_DAYS
    assert summary.strength is None or known_days > NOW.weekday()


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
    # files minutes apart are one outing: the athlete saved some runs in two files each,
    # 1-6 min apart (2020-07-05, 2020-09-06, 2020-09-18; and 2021-01-17, a glitch here)
    glitched = {id(g.record) for g in cleaned.glitches}
    plausible = sorted((r for r in history if id(r) not in glitched), key=lambda r: r.start)
    apart = [b.start - (a.start + timedelta(seconds=a.moving_s))
             for a, b in zip(plausible, plausible[1:], strict=False)]
    joined = sum(1 for gap in apart if gap <= timedelta(seconds=OUTING_GAP_S))
    assert joined >= 3
    assert len(cleaned.sessions) == len(history) - 2 - joined
    summary = summarize(last, known(history), now)
    assert summary.consistency.weeks == 8
    assert summary.consistency.runs == sum(
        1 for r in history if timedelta(0) <= now.date() - r.start.date() < timedelta(56)
    )
    assert summary.consistency.efficiency_runs == summary.consistency.runs
    assert summary.consistency.efficiency_change is not None


def test_past_needs_a_timezone_aware_since() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Past((), NOW.replace(tzinfo=None))


def test_within_keeps_the_window_and_is_known_from_its_start_at_the_earliest() -> None:
    old, recent, current = session(100), session(20), session(0, activity_id=999)
    past = Past((old, recent, current), NOW - timedelta(days=200))
    window = past.within(NOW - timedelta(days=70), current.start, exclude=999)
    assert window.sessions == (recent,)
    assert window.since == NOW - timedelta(days=70)
    recovery = summarize(current, window, NOW).recovery
    assert (recovery.days_off, recovery.days_off_open) == (19, False)
    alone = summarize(current, past.within(NOW - timedelta(days=70), recent.start), NOW)
    assert (alone.recovery.days_off, alone.recovery.days_off_open) == (70, True)


def test_one_run_in_four_weeks_is_no_base_for_a_load_ratio() -> None:
    summary = summarize(session(0, load=120), known([session(20, load=40)], days=35), NOW)
    assert summary.recovery.usual_weeks == 4 and summary.recovery.usual_load is not None
    assert summary.recovery.acwr is None and summary.recovery.run_change is None
    assert not {"load", "run_jump"} & set(summary.recovery.warnings)
