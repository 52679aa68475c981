"""Consistency and progress over the last weeks: regularity, distance trend, efficiency.

Weeks are rolling: week 0 is today and the six days before it, so a Monday never looks like
an empty week. Only whole weeks of known history count (the caller says how many days are
known), so a new athlete is judged on the weeks they have, not on weeks before they started
recording, and without one whole week there is nothing to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.model import SessionRecord, Workout, is_run
from analysis.recovery import IntArray

#: Days in a week.
WEEK_DAYS = 7
#: Longest look back: two months show a trend without mixing in an earlier training block.
MAX_WEEKS = 8
#: Fewest weeks to fit a distance trend or compare efficiency (the brief's 4-8 weeks).
MIN_TREND_WEEKS = 4
#: Runs whose speed per heartbeat is comparable: steady, aerobic, no drift of a long run.
EFFICIENCY_WORKOUTS = frozenset({Workout.EASY, Workout.RECOVERY})
#: Fewest easy runs with heart rate for an early-against-recent comparison (three a half).
MIN_EFFICIENCY_RUNS = 6
#: Average heart rates outside this range are sensor faults, not physiology (bpm).
PLAUSIBLE_AVG_HR = (40.0, 220.0)
#: Seconds per minute, to turn m/s over beats per minute into metres per beat.
SECONDS_PER_MINUTE = 60.0


@dataclass(frozen=True)
class Consistency:
    """Regularity and progress over ``weeks`` rolling weeks."""

    weeks: int
    runs: int
    weeks_with_run: int
    weekly_distance_m: tuple[float, ...]  # running distance per week, oldest first
    efficiency_runs: int  # easy runs with heart rate in the window
    efficiency_early: float | None  # median metres per heartbeat, older half of those runs
    efficiency_recent: float | None  # the newer half

    @property
    def runs_per_week(self) -> float:
        return self.runs / self.weeks

    @property
    def mean_weekly_distance_m(self) -> float:
        return float(np.mean(self.weekly_distance_m))

    @property
    def distance_trend(self) -> float | None:
        """Least-squares slope of weekly distance as a fraction of the mean, per week; None
        unless :data:`MIN_TREND_WEEKS` weeks hold a run (one run is not a trend)."""
        mean = self.mean_weekly_distance_m
        if self.weeks_with_run < MIN_TREND_WEEKS or mean <= 0:
            return None
        slope = np.polyfit(np.arange(self.weeks), np.array(self.weekly_distance_m), 1)[0]
        return float(slope) / mean

    @property
    def efficiency_change(self) -> float | None:
        """Relative change of speed per heartbeat on easy runs, recent against early."""
        if self.efficiency_early is None or self.efficiency_recent is None:
            return None
        return self.efficiency_recent / self.efficiency_early - 1


def whole_weeks(known_days: int) -> int:
    """Whole weeks of known history, between 0 and :data:`MAX_WEEKS`."""
    return min(MAX_WEEKS, max(0, known_days // WEEK_DAYS))


def metres_per_beat(session: SessionRecord) -> float | None:
    """Speed over heart rate, or None without a plausible heart rate or any movement."""
    low, high = PLAUSIBLE_AVG_HR
    if session.avg_hr is None or not low <= session.avg_hr <= high or session.speed <= 0:
        return None
    return session.speed * SECONDS_PER_MINUTE / session.avg_hr


def assess_consistency(
    sessions: Sequence[SessionRecord], days_ago: IntArray, known_days: int
) -> Consistency | None:
    """Consistency over the whole known weeks up to :data:`MAX_WEEKS`; None without one.

    Parameters:
        sessions, days_ago: the known sessions, oldest first, and their calendar days.
        known_days: calendar days of known history up to today, today included.
    """
    weeks = whole_weeks(known_days)
    if weeks == 0:
        return None
    week_of = days_ago // WEEK_DAYS
    distance = np.zeros(weeks)
    runs: list[SessionRecord] = []
    run_weeks: set[int] = set()
    for session, week in zip(sessions, week_of, strict=True):
        if is_run(session.sport) and week < weeks:
            distance[weeks - 1 - week] += session.distance_m
            runs.append(session)
            run_weeks.add(int(week))
    efficiency = _easy_efficiency(runs)
    early, recent = _halves(efficiency) if weeks >= MIN_TREND_WEEKS else (None, None)
    return Consistency(
        weeks=weeks,
        runs=len(runs),
        weeks_with_run=len(run_weeks),
        weekly_distance_m=tuple(float(x) for x in distance),
        efficiency_runs=len(efficiency),
        efficiency_early=early,
        efficiency_recent=recent,
    )


def _easy_efficiency(runs: Sequence[SessionRecord]) -> list[float]:
    values = (metres_per_beat(r) for r in runs if r.workout in EFFICIENCY_WORKOUTS)
    return [v for v in values if v is not None]


def _halves(values: Sequence[float]) -> tuple[float | None, float | None]:
    if len(values) < MIN_EFFICIENCY_RUNS:
        return None, None
    half = len(values) // 2
    return float(np.median(values[:half])), float(np.median(values[-half:]))
