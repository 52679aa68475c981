"""Recovery: hard days in a row, rest days, days off, and the last week against the ones before.

Every function here takes the sessions with ``days_ago``, the calendar day of each counted
back from today (0), so the arithmetic never touches a clock or a timezone, and
``known_days``, how many calendar days up to today the history covers (today included): a
figure that needs more days than that is None, never a guess. Daily loads count rest days as
zeros: a rest day is exactly what lowers a week's load and its monotony.

The load comparison is the one a runner can check by hand: the load of the last seven days
against the average week of the (up to four) whole weeks before them, the "uncoupled"
acute:chronic ratio (Windt & Gabbett 2017, BJSM 51:1105).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.model import FloatArray, SessionRecord, Workout, is_run

IntArray = NDArray[np.int64]

#: The last week, the acute window of the acute:chronic workload ratio (Williams et al. 2017,
#: BJSM 51:209).
ACUTE_DAYS = 7
#: Weeks before it that make the athlete's usual week: the chronic window (Gabbett 2016).
CHRONIC_WEEKS = 4
#: The same window in days.
CHRONIC_DAYS = CHRONIC_WEEKS * ACUTE_DAYS
#: Above this ratio the injury risk climbs steeply (Gabbett 2016, BJSM 50:273).
ACWR_HIGH = 1.5
#: Foster's monotony (mean over sd of daily load in a week) above which illness and
#: overtraining followed (Foster 1998, Med Sci Sports Exerc 30:1164).
MONOTONY_HIGH = 2.0
#: Hard days in a row worth a warning: the hard/easy principle puts an easy day after each
#: hard one (Bowerman's coaching rule).
HARD_STREAK_WARNING = 2
#: Increase of running distance over the usual week above which novice runners got more
#: injuries (Nielsen et al. 2014, JOSPT 44:739: over 30 % a week).
RUN_JUMP_HIGH = 0.30
#: Whole days without any session after which a session is a return, not a load to compare:
#: a week off leaves nothing in the last seven days but the comeback itself.
RETURN_DAYS_OFF = 7
#: A usual week lighter than this load (about 15 easy minutes) makes any ratio to it
#: meaningless: a single jog would read as a many-fold jump.
MIN_USUAL_LOAD = 10.0
#: Likewise a usual week with less running than this (m).
MIN_USUAL_RUN_M = 1000.0
#: Sessions a usual week must hold on average before the last week is compared with it:
#: one session in four weeks is no base, and against it any week reads as a jump of
#: several times (issue 20: "Load 7.4x" from one run in four weeks). Three a week is
#: the least of the ACSM's vigorous exercise (Garber et al. 2011, MSSE 43:1334); one a
#: week is the least that makes a week "usual".
MIN_USUAL_SESSIONS_PER_WEEK = 1.0
#: Standard deviations below this are a week of identical loads, where monotony is undefined.
MIN_LOAD_SD = 1e-9
#: After a race, one day of easy running for each 3 km raced before quality training
#: resumes (Daniels, Daniels' Running Formula, 3rd ed., ch. 13): 4 days after a 10 km,
#: 14 after a marathon, 17 after a 50 km ultra.
RACE_M_PER_EASY_DAY = 3000.0
#: A run this many times the longest run of the :data:`LONGEST_BEFORE_DAYS` before it went
#: far beyond what the legs were prepared for, and is recovered from like a race of its
#: distance (a coach's rule: the long run grows by a few kilometres at a time, never
#: doubles; issue 20's 50 km ultra came after a longest run of 15.6 km).
BEYOND_LONGEST = 2.0
#: The weeks whose longest run sets what the athlete is used to.
LONGEST_BEFORE_DAYS = 28
#: A run of a marathon's distance or more is recovered from as a race of its distance,
#: whatever it was labelled and whatever came before it: Daniels' day per 3 km is the rule
#: for marathons and ultras, and a first marathon or ultra on a new athlete's first upload
#: (no run before it to be "far beyond") is no lighter on the legs (tests/data/blind-2026-12x:
#: a 54 km, 8 h mountain outing, and blind-2026-12v: a marathon, both read as long runs, were
#: given the two easy days of any run over two hours).
MARATHON_M = 42195.0
#: A run of two hours or more spends the muscles' glycogen (analysis.load.VERY_LONG_RUN_S);
#: restoring it takes 24-48 h (Costill et al. 1971, J Appl Physiol 31:834), so two easy days.
VERY_LONG_RUN_S = 2 * 3600.0
VERY_LONG_EASY_DAYS = 2


@dataclass(frozen=True)
class Recovery:
    """Recovery figures up to today; None where the known history is too short to say."""

    known_days: int  # calendar days of known history, today included
    hard_streak: int  # days in a row with a hard session, ending today (0: today was easy)
    hard_today: int  # hard sessions today, the current one included
    days_off: int | None  # whole days without a session before the current one
    days_off_open: bool  # no earlier session known: days_off counts to the history's start
    rest_days_7d: int | None  # days without any session among the last seven
    week_load: float  # load of the last seven days, today included
    usual_weeks: int  # whole weeks before them that make the usual week, 0..CHRONIC_WEEKS
    usual_load: float | None  # their average weekly load
    run_distance_7d: float  # m
    usual_run_distance: float | None  # m, average week
    monotony: float | None
    strain: float | None  # weekly load x monotony
    usual_sessions: int = 0  # sessions in the usual weeks
    usual_runs: int = 0  # runs among them

    @property
    def acwr(self) -> float | None:
        """The last seven days' load over the usual week's, None without a usual week that
        holds enough sessions to be one."""
        if self.usual_load is None or self.usual_load < MIN_USUAL_LOAD:
            return None
        if self.usual_sessions < MIN_USUAL_SESSIONS_PER_WEEK * self.usual_weeks:
            return None
        return self.week_load / self.usual_load

    @property
    def run_change(self) -> float | None:
        """Relative change of running distance against the usual week, None without enough
        running in it to compare with."""
        if self.usual_run_distance is None or self.usual_run_distance < MIN_USUAL_RUN_M:
            return None
        if self.usual_runs < MIN_USUAL_SESSIONS_PER_WEEK * self.usual_weeks:
            return None
        return self.run_distance_7d / self.usual_run_distance - 1

    @property
    def runs_less(self) -> bool:
        """The last seven days hold no more running than the usual week (which had some)."""
        usual = self.usual_run_distance
        return usual is not None and usual > 0 and self.run_distance_7d <= usual

    @property
    def returning(self) -> bool:
        """The current session ends :data:`RETURN_DAYS_OFF` or more days without training,
        counted to an earlier session: days before which nothing is on record are no break
        (a newly connected athlete's first run is not a comeback)."""
        return (self.days_off is not None and not self.days_off_open
                and self.days_off >= RETURN_DAYS_OFF)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What deserves a word, most urgent first: return, streak, load, run_jump, monotony.

        A load or distance jump needs the last week to hold more than the usual one, in load
        and, for a runner, in running distance too: a week with less running never reads as
        a jump, and after a return the comparison gives way to the days off.
        """
        acwr, change = self.acwr, self.run_change
        flags = (
            ("return", self.returning),
            ("streak", self.hard_streak >= HARD_STREAK_WARNING),
            ("load", not self.returning and acwr is not None and acwr > ACWR_HIGH
             and not self.runs_less),
            ("run_jump", not self.returning and change is not None and change > RUN_JUMP_HIGH),
            ("monotony", self.monotony is not None and self.monotony > MONOTONY_HIGH),
        )
        return tuple(name for name, raised in flags if raised)


@dataclass(frozen=True)
class EasyWindow:
    """Days of easy running or rest that a race, a run far beyond the athlete's longest, or
    a run of two hours or more calls for, and how many of them remain."""

    record: SessionRecord  # the session that opened the window
    days_ago: int  # its calendar day, counted back from today
    days: int  # easy days it calls for, from the day after it

    @property
    def days_left(self) -> int:
        """Easy days still to come after today."""
        return self.days - self.days_ago


def easy_days(record: SessionRecord, longest_before_m: float | None) -> int:
    """Easy days a run calls for after it: by :data:`RACE_M_PER_EASY_DAY` for a race, a run
    of :data:`MARATHON_M` or more, or a run :data:`BEYOND_LONGEST` times the longest before
    it (``longest_before_m``, None when no run is known before it), :data:`VERY_LONG_EASY_DAYS`
    after two hours; else 0."""
    if not is_run(record.sport):
        return 0
    beyond = longest_before_m is not None and record.distance_m >= BEYOND_LONGEST * max(
        longest_before_m, 1.0)
    days = 0
    if record.workout is Workout.RACE or beyond or record.distance_m >= MARATHON_M:
        days = math.ceil(record.distance_m / RACE_M_PER_EASY_DAY)
    if record.moving_s >= VERY_LONG_RUN_S:
        days = max(days, VERY_LONG_EASY_DAYS)
    return days


def easy_window(sessions: Sequence[SessionRecord], days_ago: IntArray,
                known_days: int) -> EasyWindow | None:
    """The open window of easy days with the most of them left after today, if any.

    Parameters:
        sessions, days_ago: the known sessions, oldest first, the current one included.
        known_days: calendar days of known history; the longest run before a session is
            looked for only within them.
    """
    found: EasyWindow | None = None
    for index, (record, day) in enumerate(zip(sessions, days_ago, strict=True)):
        before = [r.distance_m for r, d in zip(sessions[:index], days_ago[:index], strict=True)
                  if is_run(r.sport) and day < d <= day + LONGEST_BEFORE_DAYS]
        seen_before = known_days - int(day) > LONGEST_BEFORE_DAYS // 2
        days = easy_days(record, max(before) if before and seen_before else None)
        window = EasyWindow(record, int(day), days)
        if days and window.days_left > 0 and (found is None
                                              or window.days_left > found.days_left):
            found = window
    return found


def daily_loads(sessions: Sequence[SessionRecord], days_ago: IntArray, days: int) -> FloatArray:
    """Summed load per calendar day for the last ``days`` days, oldest first, rest days 0."""
    loads = np.zeros(days)
    recent = days_ago < days
    weights = np.array([s.load for s in sessions], dtype=np.float64)
    np.add.at(loads, days - 1 - days_ago[recent], weights[recent])
    return loads


def usual_weeks(known_days: int) -> int:
    """Whole known weeks before the last seven days, up to :data:`CHRONIC_WEEKS`."""
    return max(0, min(CHRONIC_WEEKS, (known_days - ACUTE_DAYS) // ACUTE_DAYS))


def hard_streak(sessions: Sequence[SessionRecord], days_ago: IntArray, day: int) -> int:
    """Consecutive days with a hard session, counted back from ``day`` (0 if it was easy)."""
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
    sessions: Sequence[SessionRecord],
    days_ago: IntArray,
    current_day: int,
    known_days: int,
    previous_day: int | None = None,
) -> Recovery:
    """Recovery figures for today.

    Parameters:
        sessions, days_ago: the known sessions, the current one included, and their days.
        current_day: the current session's day; the streak counts back from it.
        known_days: calendar days of known history up to today, today included.
        previous_day: the day of the latest session before the current one, None if none
            is known.
    """
    weeks = usual_weeks(known_days)
    loads = daily_loads(sessions, days_ago, ACUTE_DAYS * (1 + weeks))
    week = loads[-ACUTE_DAYS:]
    whole_week = known_days >= ACUTE_DAYS
    week_monotony = monotony(week) if whole_week else None
    runs = np.array([is_run(s.sport) for s in sessions], dtype=np.bool_)
    distance = np.array([s.distance_m for s in sessions], dtype=np.float64)
    before = (days_ago >= ACUTE_DAYS) & (days_ago < ACUTE_DAYS * (1 + weeks))
    off, off_open = _days_off(current_day, previous_day, known_days)
    return Recovery(
        known_days=known_days,
        hard_streak=hard_streak(sessions, days_ago, current_day),
        hard_today=sum(1 for s, d in zip(sessions, days_ago, strict=True)
                       if s.hard and d == current_day),
        days_off=off,
        days_off_open=off_open,
        rest_days_7d=(
            ACUTE_DAYS - len({int(d) for d in days_ago if d < ACUTE_DAYS}) if whole_week else None
        ),
        week_load=float(week.sum()),
        usual_weeks=weeks,
        usual_load=float(loads[:-ACUTE_DAYS].sum()) / weeks if weeks else None,
        run_distance_7d=float(distance[runs & (days_ago < ACUTE_DAYS)].sum()),
        usual_run_distance=float(distance[runs & before].sum()) / weeks if weeks else None,
        monotony=week_monotony,
        strain=float(week.sum()) * week_monotony if week_monotony is not None else None,
        usual_sessions=int(np.count_nonzero(before)),
        usual_runs=int(np.count_nonzero(runs & before)),
    )


def _days_off(
    current_day: int, previous_day: int | None, known_days: int
) -> tuple[int | None, bool]:
    """Whole days between the previous session and the current one, and whether that count
    runs to the start of the known history instead of to a session."""
    if previous_day is not None:
        return max(0, previous_day - current_day - 1), False
    if known_days <= current_day + 1:
        return None, False
    return known_days - current_day - 1, True
