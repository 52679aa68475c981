"""Weeks of training in numbers: the mix of workouts, strength work, recovery, consistency.

What is known of the past is explicit: a :class:`Past` holds the athlete's sessions and the
moment from which that record is whole; ``None`` means no history has been read, and then
no figure about the weeks before is given. A figure that needs more days than the history
covers (rest days in a week, a four-week mix, this week's strength sessions) is None, never a
count against days nobody saw.

History is messy: the same activity stored twice, sessions dated after "now", and glitches
such as a ride saved as a run or a watch left running all day. :func:`clean` sorts that out
once; :func:`summarize` turns what is left into the numbers the feedback block shows.
Calendar days and weeks are those of ``now``'s timezone, so pass ``now`` in the athlete's
zone when it is known.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np

from analysis.consistency import Consistency, assess_consistency
from analysis.model import QUALITY_WORKOUTS, SessionRecord, Workout, is_run
from analysis.recovery import EasyWindow, Recovery, assess_recovery, easy_window

#: The mix is judged over four weeks, the chronic window of Gabbett (2016).
VARIETY_DAYS = 28
#: A key stimulus absent for two weeks is named as missing: a coach's two-week microcycle
#: normally holds each of them at least once.
MISSING_DAYS = 14
#: The stimuli whose absence is named (docs/DESIGN.md, "Vary the runs": sprint intervals,
#: hill repeats, fartlek; and intervals, the VO2max work of every running plan).
KEY_STIMULI = (Workout.HILLS, Workout.INTERVALS, Workout.SPRINTS, Workout.FARTLEK)
#: Polarised training keeps about 20 % of sessions hard (Seiler 2010, IJSPP 5:276); under
#: half of that is the "only jogging slowly" pitfall of docs/DESIGN.md.
MIN_QUALITY_SHARE = 0.10
#: Polarised training keeps about 80 % of sessions easy (Seiler 2010, IJSPP 5:276; Seiler
#: & Kjerland 2006, Scand J Med Sci Sports 16:49). A runner out three times a week with one
#: quality run is at a third already; twice the 20 %, 40 %, means hard sessions crowd out
#: the easy running that recovery and the aerobic base need.
MAX_QUALITY_SHARE = 0.4
#: Fewer than one run a week over the variety window says too little to judge the mix.
MIN_RUNS_TO_JUDGE_MIX = 4
#: The leg muscle groups the advice talks about (docs/DESIGN.md).
MUSCLE_GROUPS = ("quads", "glutes", "hamstrings", "calves")
#: Which groups a workout loads beyond aerobic endurance. Hills and sprints as in
#: docs/DESIGN.md; faster running shifts work to the calves (ankle plantarflexors) and,
#: towards sprinting, the hamstrings and hip extensors (Dorn et al. 2012, J Exp Biol 215:1944);
#: strength work as the squats, lunges, deadlifts and calf raises of docs/DESIGN.md.
#: Steady running (easy, recovery, long) builds the endurance of all of them, no group in
#: particular, so it is absent here.
MUSCLES_BY_WORKOUT: Mapping[Workout, tuple[str, ...]] = {
    Workout.HILLS: ("quads", "glutes"),
    Workout.SPRINTS: ("hamstrings", "calves"),
    Workout.INTERVALS: ("calves", "hamstrings"),
    Workout.FARTLEK: ("calves", "hamstrings"),
    Workout.TEMPO: ("calves", "quads"),
    Workout.RACE: ("calves", "quads"),
    Workout.STRENGTH: MUSCLE_GROUPS,
}
#: Strength sessions a week that runners need (docs/DESIGN.md: 2-3 times a week).
STRENGTH_PER_WEEK = (2, 3)
#: Sports that are strength work: weight training (squats, lunges, deadlifts, calf raises of
#: docs/DESIGN.md) and CrossFit's lifts. Strava's generic "Workout", where unknown sports
#: such as volleyball or hockey land, and HIIT are not (issue 12).
STRENGTH_TRAINING_SPORTS = frozenset({"WeightTraining", "Crossfit"})
#: Fewest known days for a figure about "the last days": one whole week.
MIN_KNOWN_DAYS = 7
#: No run averages more: the 10,000 m world record is 6.37 m/s. The 2020-09-20 glitch of
#: shared/data (22.1 km in 48 min, a ride saved as a run) averages 7.7 m/s.
MAX_RUN_SPEED_MPS = 6.5
#: No run averages less: the slowest mountain 100-mile finishers (48 h) average 0.93 m/s.
#: The 2021-01-17 glitch of shared/data (21.8 km in 1437 min, a watch left running) is 0.25 m/s.
MIN_RUN_SPEED_MPS = 0.7
#: No single session lasts longer: the cut-off of the longest mountain 100-milers.
MAX_SESSION_S = 48 * 3600.0

#: Two sessions of one sport this close (s, from the end of one to the start of the next)
#: are one outing: a watch restarted after a crash or a recording saved by mistake, a stop
#: at a shop, a door or a crossing, with the runner still warm and out (issue 20: two files
#: 2 minutes apart, one 97 min outing). A second session of the day, a double, comes hours
#: later; ten minutes lies far from both.
OUTING_GAP_S = 10 * 60.0

#: Glitch reasons, also the message ids the feedback renders.
TOO_FAST, TOO_SLOW, TOO_LONG, NOT_A_NUMBER = "too_fast", "too_slow", "too_long", "not_a_number"


@dataclass(frozen=True)
class Glitch:
    """A session left out of every figure, and why (one of the reasons above)."""

    record: SessionRecord
    reason: str


@dataclass(frozen=True)
class Past:
    """The athlete's sessions before the current one, and since when that record is whole.

    ``since`` is the moment from which every session of the athlete is in ``sessions``: the
    start of a backfill's window, or the oldest file of a history folder. Nothing before it
    is known, so figures reach back no further.
    """

    sessions: tuple[SessionRecord, ...]
    since: datetime  # timezone-aware

    def __post_init__(self) -> None:
        if self.since.tzinfo is None:
            raise ValueError("Past.since must be timezone-aware")

    @classmethod
    def of(cls, sessions: Sequence[SessionRecord], since: datetime | None = None) -> Past | None:
        """``sessions`` known since ``since``, by default since the oldest of them.

        Returns:
            None when there are no sessions and no ``since``: then nothing is known.
        """
        if since is None:
            if not sessions:
                return None
            since = min(_utc(r.start) for r in sessions)
        return cls(tuple(sessions), since)

    def within(self, start: datetime, end: datetime, exclude: int | None = None) -> Past:
        """The sessions that started in [``start``, ``end``), known since ``start`` at the
        earliest; ``exclude`` is an activity id left out (the current activity's)."""
        kept = (
            r for r in self.sessions
            if start <= _utc(r.start) < end and (exclude is None or r.activity_id != exclude)
        )
        return Past(tuple(kept), max(self.since, start))

    def known_days(self, now: datetime) -> int:
        """Calendar days from ``since`` to ``now`` in ``now``'s timezone, both included."""
        return max(0, days_ago(self.since, now) + 1)


@dataclass(frozen=True)
class History:
    """Plausible, unique sessions up to "now", oldest first, with their calendar days."""

    sessions: tuple[SessionRecord, ...]  # outings: files minutes apart joined
    days_ago: tuple[int, ...]  # 0 is the day of "now"
    glitches: tuple[Glitch, ...]
    duplicates: int
    future: int
    current: SessionRecord | None = None  # the outing the current session is part of


@dataclass(frozen=True)
class Variety:
    """The mix of the last :data:`VARIETY_DAYS` days."""

    runs: int
    run_counts: tuple[tuple[Workout, int], ...]  # labels in display order, zero counts left out
    quality_share: float  # of runs, 0..1
    days_since: tuple[tuple[Workout, int | None], ...]  # per key stimulus; None: never seen
    missing: tuple[Workout, ...]  # key stimuli absent for MISSING_DAYS
    lacks_variety: bool
    too_intense: bool  # quality runs above MAX_QUALITY_SHARE
    muscles_loaded: tuple[str, ...]
    muscles_neglected: tuple[str, ...]


@dataclass(frozen=True)
class Strength:
    """Days with strength work against the :data:`STRENGTH_PER_WEEK` target: two sessions
    on one day are one strength day, since the muscles need the days between (ACSM 2009,
    MSSE 41:687: 48 h between sessions for the same muscle groups)."""

    this_week: int  # days with strength work in the ISO week of "now", Monday first
    last_7_days: int | None  # None when the history covers less than seven days

    @property
    def on_target(self) -> bool:
        return max(self.this_week, self.last_7_days or 0) >= STRENGTH_PER_WEEK[0]


@dataclass(frozen=True)
class TrainingSummary:
    """The figures of the feedback block; None where the known history cannot say."""

    history_known: bool  # False: no history was read, only the current session is known
    known_days: int  # calendar days of known history up to today, today included
    variety_days: int  # the window the variety covers, up to VARIETY_DAYS
    variety: Variety | None
    strength: Strength | None  # None unless the history covers this week since Monday
    recovery: Recovery
    consistency: Consistency | None
    glitches: tuple[Glitch, ...]  # of the last VARIETY_DAYS days, the current session included
    current_glitch: Glitch | None
    earlier_sessions: int = 0  # plausible sessions on record before the current one
    easy_window: EasyWindow | None = None  # easy days still owed to a race or a long effort

    @property
    def weekly(self) -> bool:
        """Whether anything is known of the weeks before: a history was read and holds a
        session before the current one. An empty history is a new athlete's or one whose
        record is not there, not weeks without training."""
        return self.history_known and self.earlier_sessions > 0


def glitch_reason(record: SessionRecord) -> str | None:
    """Why ``record`` cannot be a real session, or None when it can."""
    numbers = (record.distance_m, record.moving_s, record.load)
    if not all(math.isfinite(x) and x >= 0 for x in numbers):
        return NOT_A_NUMBER
    if record.moving_s > MAX_SESSION_S:
        return TOO_LONG
    if is_run(record.sport) and record.distance_m > 0:
        if record.speed > MAX_RUN_SPEED_MPS:
            return TOO_FAST
        if record.speed < MIN_RUN_SPEED_MPS:
            return TOO_SLOW
    return None


def days_ago(start: datetime, now: datetime) -> int:
    """Calendar days from ``start`` to ``now`` in ``now``'s timezone (a naive start is UTC)."""
    aware = start if start.tzinfo is not None else start.replace(tzinfo=UTC)
    return (now.date() - aware.astimezone(now.tzinfo).date()).days


def clean(current: SessionRecord, history: Sequence[SessionRecord], now: datetime) -> History:
    """Drop sessions after ``now``, duplicates (the current one wins) and glitches.

    Raises:
        ValueError: ``now`` is naive, so calendar days would be ambiguous.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    past = [r for r in history if _utc(r.start) <= now]
    unique: dict[object, SessionRecord] = {}
    for record in [*past, current]:
        unique[_identity(record)] = record
    ordered = sorted(unique.values(), key=lambda r: _utc(r.start))
    glitches = tuple(Glitch(r, reason) for r in ordered if (reason := glitch_reason(r)))
    kept, of_current = outings([r for r in ordered if glitch_reason(r) is None], current)
    return History(
        sessions=tuple(kept),
        days_ago=tuple(max(0, days_ago(r.start, now)) for r in kept),
        glitches=glitches,
        duplicates=len(past) + 1 - len(unique),
        future=len(history) - len(past),
        current=of_current,
    )


def outings(sessions: Sequence[SessionRecord], current: SessionRecord | None = None
            ) -> tuple[list[SessionRecord], SessionRecord | None]:
    """``sessions`` (oldest first) with each run of consecutive sessions of one sport less
    than :data:`OUTING_GAP_S` apart joined into one outing, and the outing ``current`` is
    part of (None when it is not among them).

    A session's end is its start plus its elapsed time, or its moving time where the
    elapsed time was not kept (then the gap seems longer than it was, and fewer join).
    Sessions that overlap stay apart: one outing recorded twice (a watch and a phone) is
    not twice the distance.
    """
    joined: list[list[SessionRecord]] = []
    for record in sessions:
        last = joined[-1][-1] if joined else None
        gap = _utc(record.start) - _end(last) if last is not None else None
        if last is not None and last.sport == record.sport and gap is not None and \
                timedelta(0) <= gap <= timedelta(seconds=OUTING_GAP_S):
            joined[-1].append(record)
        else:
            joined.append([record])
    merged = [_outing(parts) for parts in joined]
    of_current = next((m for m, parts in zip(merged, joined, strict=True)
                       if any(p is current for p in parts)), None)
    return merged, of_current


def _end(record: SessionRecord) -> datetime:
    seconds = record.elapsed_s if record.elapsed_s is not None else record.moving_s
    return _utc(record.start) + timedelta(seconds=max(seconds, record.moving_s))


def _outing(parts: list[SessionRecord]) -> SessionRecord:
    """One outing of ``parts``: their distances, times and loads added up, hard if any part
    was, labelled by its quality part (a warm-up saved apart from the intervals after it)
    or else by its longest part."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    quality = [p for p in parts if p.workout in QUALITY_WORKOUTS]
    label = max(quality or parts, key=lambda p: p.moving_s).workout
    moving = sum(p.moving_s for p in parts)
    heart = [(p.avg_hr, p.moving_s) for p in parts if p.avg_hr is not None]
    maxima = [p.max_hr for p in parts if p.max_hr is not None]
    ascents = [p.ascent_m for p in parts if p.ascent_m is not None]
    return replace(
        first, workout=label, distance_m=sum(p.distance_m for p in parts), moving_s=moving,
        load=sum(p.load for p in parts), hard=any(p.hard for p in parts),
        avg_hr=(sum(hr * s for hr, s in heart) / sum(s for _, s in heart)
                if heart and sum(s for _, s in heart) > 0 else first.avg_hr),
        max_hr=max(maxima) if maxima else None,
        ascent_m=sum(ascents) if ascents else None,
        elapsed_s=(_end(parts[-1]) - _utc(first.start)).total_seconds())


def assess_variety(history: History, window_days: int = VARIETY_DAYS) -> Variety:
    """The mix of runs over ``window_days``, the key stimuli missing, the muscle groups loaded.

    A stimulus is missing only when the window spans :data:`MISSING_DAYS`: in a shorter one
    its absence says nothing.
    """
    recent = [r for r, d in _dated(history) if d < window_days]
    runs = [r.workout for r in recent if is_run(r.sport)]
    counts = tuple((w, runs.count(w)) for w in Workout if w in runs)
    quality = sum(1 for w in runs if w in QUALITY_WORKOUTS)
    share = quality / len(runs) if runs else 0.0
    since = tuple((w, _days_since(history, w)) for w in KEY_STIMULI)
    loading = [
        Workout.STRENGTH if is_strength_training(r) else r.workout
        for r in recent if is_run(r.sport) or is_strength_training(r)
    ]
    loaded = {m for w in loading for m in MUSCLES_BY_WORKOUT.get(w, ())}
    return Variety(
        runs=len(runs),
        run_counts=counts,
        quality_share=share,
        days_since=since,
        missing=tuple(
            w for w, d in since
            if window_days >= MISSING_DAYS and (d is None or d >= MISSING_DAYS)
        ),
        lacks_variety=len(runs) >= MIN_RUNS_TO_JUDGE_MIX and share < MIN_QUALITY_SHARE,
        too_intense=len(runs) >= MIN_RUNS_TO_JUDGE_MIX and share > MAX_QUALITY_SHARE,
        muscles_loaded=tuple(m for m in MUSCLE_GROUPS if m in loaded),
        muscles_neglected=tuple(m for m in MUSCLE_GROUPS if m not in loaded),
    )


def assess_strength(history: History, now: datetime, known_days: int) -> Strength | None:
    """Strength sessions in the ISO week of ``now`` and in the last seven days.

    Returns:
        None when the known history does not reach back to Monday.
    """
    since_monday = now.weekday()
    if known_days <= since_monday:
        return None
    days = {d for r, d in _dated(history) if is_strength_training(r)}
    return Strength(
        this_week=sum(1 for d in days if d <= since_monday),
        last_7_days=sum(1 for d in days if d < 7) if known_days >= MIN_KNOWN_DAYS else None,
    )


def is_strength_training(record: SessionRecord) -> bool:
    """Whether ``record`` is strength work; any other sport, however labelled, is not."""
    return record.sport in STRENGTH_TRAINING_SPORTS


def summarize(current: SessionRecord, past: Past | None, now: datetime) -> TrainingSummary:
    """Everything the feedback block says about the weeks before and including ``current``.

    Parameters:
        current: the session the block is for.
        past: what is known before it, or None when no history has been read.
        now: the moment of judgement, timezone-aware; its zone sets the calendar days.

    Raises:
        ValueError: ``now`` is naive.
    """
    cleaned = clean(current, past.sessions if past else (), now)
    known = past.known_days(now) if past else 0
    days = np.asarray(cleaned.days_ago, dtype=np.int64)
    current_glitch = next((g for g in cleaned.glitches if g.record is current), None)
    current_day = max(0, days_ago(current.start, now))
    earlier = [d for r, d in _dated(cleaned)
               if _utc(r.start) < _utc(current.start) and r is not cleaned.current]
    window = min(VARIETY_DAYS, known)
    return TrainingSummary(
        history_known=past is not None,
        known_days=known,
        variety_days=window,
        variety=assess_variety(cleaned, window) if window >= MIN_KNOWN_DAYS else None,
        strength=assess_strength(cleaned, now, known),
        recovery=assess_recovery(
            cleaned.sessions, days, current_day, known, min(earlier) if earlier else None,
        ),
        consistency=assess_consistency(cleaned.sessions, days, known),
        glitches=tuple(
            g for g in cleaned.glitches if days_ago(g.record.start, now) < VARIETY_DAYS
        ),
        current_glitch=current_glitch,
        earlier_sessions=len(earlier),
        easy_window=easy_window(cleaned.sessions, days, known),
    )


def _dated(history: History) -> zip[tuple[SessionRecord, int]]:
    return zip(history.sessions, history.days_ago, strict=True)


def _days_since(history: History, workout: Workout) -> int | None:
    days = [d for r, d in _dated(history) if is_run(r.sport) and r.workout is workout]
    return min(days) if days else None


def _identity(record: SessionRecord) -> object:
    if record.activity_id is not None:
        return record.activity_id
    return (_utc(record.start), record.sport, record.distance_m, record.moving_s)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
