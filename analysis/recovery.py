"""Recovery: hard days in a row, acute against chronic load, monotony, distance jumps.

Every function here takes the sessions with ``days_ago``, the calendar day of each counted
back from today (0), so the arithmetic never touches a clock or a timezone. Daily loads
count rest days as zeros: a rest day is exactly what lowers acute load and monotony.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.model import FloatArray, SessionRecord, is_run

IntArray = NDArray[np.int64]

#: Acute window of the acute:chronic workload ratio, in days (Williams et al. 2017, BJSM 51:209).
ACUTE_DAYS = 7
#: Chronic window of the ratio, in days (Williams et al. 2017).
CHRONIC_DAYS = 28
#: Days of history the exponentially weighted averages run over; older days weigh under
#: (1 - 2/29)^84 = 0.3 % in the chronic average.
LOAD_HISTORY_DAYS = 84
#: Above this ratio the injury risk climbs steeply (Gabbett 2016, BJSM 50:273).
ACWR_HIGH = 1.5
#: Below the "sweet spot" of 0.8-1.3 fitness is being lost (Gabbett 2016).
ACWR_LOW = 0.8
#: Foster's monotony (mean over sd of daily load in a week) above which illness and
#: overtraining followed (Foster 1998, Med Sci Sports Exerc 30:1164).
MONOTONY_HIGH = 2.0
#: Hard days in a row worth a warning: the hard/easy principle puts an easy day after each
#: hard one (Bowerman's coaching rule).
HARD_STREAK_WARNING = 2
#: Week-over-week running distance increase above which novice runners got more injuries
#: (Nielsen et al. 2014, JOSPT 44:739).
DISTANCE_JUMP_HIGH = 0.30
#: Standard deviations below this are a week of identical loads, where monotony is undefined.
MIN_LOAD_SD = 1e-9


@dataclass(frozen=True)
class Recovery:
    """Recovery figures up to today; None where history is too short to say."""

    hard_streak: int  # days in a row with a hard session, ending with the current one
    rest_days_7d: int  # days without any session among the last seven
    acute_load: float | None  # EWMA, load per day
    chronic_load: float | None
    monotony: float | None
    strain: float | None  # weekly load x monotony
    week_load: float
    run_distance_7d: float  # m
    run_distance_prev_7d: float  # m

    @property
    def acwr(self) -> float | None:
        if self.acute_load is None or not self.chronic_load:
            return None
        return self.acute_load / self.chronic_load

    @property
    def distance_jump(self) -> float | None:
        """Relative change of running distance against the seven days before."""
        if self.run_distance_prev_7d <= 0:
            return None
        return self.run_distance_7d / self.run_distance_prev_7d - 1

    @property
    def warnings(self) -> tuple[str, ...]:
        """What deserves a line, most urgent first: streak, jump, acwr_high/low, monotony."""
        acwr, jump = self.acwr, self.distance_jump
        flags = (
            ("streak", self.hard_streak >= HARD_STREAK_WARNING),
            ("jump", jump is not None and jump > DISTANCE_JUMP_HIGH),
            ("acwr_high", acwr is not None and acwr > ACWR_HIGH),
            ("acwr_low", acwr is not None and acwr < ACWR_LOW),
            ("monotony", self.monotony is not None and self.monotony > MONOTONY_HIGH),
        )
        return tuple(name for name, raised in flags if raised)


def daily_loads(sessions: Sequence[SessionRecord], days_ago: IntArray, days: int) -> FloatArray:
    """Summed load per calendar day for the last ``days`` days, oldest first, rest days 0."""
    loads = np.zeros(days)
    recent = days_ago < days
    weights = np.array([s.load for s in sessions], dtype=np.float64)
    np.add.at(loads, days - 1 - days_ago[recent], weights[recent])
    return loads


def ewma_loads(loads: FloatArray) -> tuple[float, float]:
    """Acute and chronic EWMA of daily loads (oldest first), lambda = 2 / (N + 1).

    Both start from the mean of the first chronic window, so a short history does not
    begin from an empty chronic load and inflate the ratio.
    """
    acute = chronic = float(np.mean(loads[:CHRONIC_DAYS]))
    fast, slow = 2 / (ACUTE_DAYS + 1), 2 / (CHRONIC_DAYS + 1)
    for load in loads:
        acute = fast * float(load) + (1 - fast) * acute
        chronic = slow * float(load) + (1 - slow) * chronic
    return acute, chronic


def hard_streak(sessions: Sequence[SessionRecord], days_ago: IntArray, day: int) -> int:
    """Consecutive days with a hard session, counted back from ``day`` (which must be hard)."""
    hard_days = {int(d) for s, d in zip(sessions, days_ago, strict=True) if s.hard}
    streak = 0
    while day + streak in hard_days:
        streak += 1
    return streak


def monotony(week: FloatArray) -> float | None:
    """Foster's monotony, mean over (population) sd of seven daily loads."""
    sd = float(np.std(week))
    return float(np.mean(week)) / sd if sd > MIN_LOAD_SD else None


def assess_recovery(
    sessions: Sequence[SessionRecord], days_ago: IntArray, current_day: int, current_hard: bool
) -> Recovery:
    """Recovery figures for today; the streak counts only when the current session was hard."""
    span = int(days_ago.max()) + 1 if len(days_ago) else 0
    loads = daily_loads(sessions, days_ago, min(max(span, ACUTE_DAYS), LOAD_HISTORY_DAYS))
    week = loads[-ACUTE_DAYS:]
    ewma = ewma_loads(loads) if span >= CHRONIC_DAYS else None
    week_monotony = monotony(week)
    runs = np.array([is_run(s.sport) for s in sessions], dtype=np.bool_)
    distance = np.array([s.distance_m for s in sessions], dtype=np.float64)
    return Recovery(
        hard_streak=hard_streak(sessions, days_ago, current_day) if current_hard else 0,
        rest_days_7d=ACUTE_DAYS - len({int(d) for d in days_ago if d < ACUTE_DAYS}),
        acute_load=ewma[0] if ewma else None,
        chronic_load=ewma[1] if ewma else None,
        monotony=week_monotony,
        strain=float(week.sum()) * week_monotony if week_monotony is not None else None,
        week_load=float(week.sum()),
        run_distance_7d=float(distance[runs & (days_ago < ACUTE_DAYS)].sum()),
        run_distance_prev_7d=float(distance[runs & (days_ago // ACUTE_DAYS == 1)].sum()),
    )
