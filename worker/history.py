"""The athlete's last weeks in Strava's cache: read from Strava's list when missing or expiring.

Nothing read from Strava is kept past STRAVA_CACHE_DAYS (worker.retention), yet the feedback
needs HISTORY_DAYS of the athlete's sessions. One ``GET /athlete/activities`` (200 a page)
brings them back: each summary is classified from the summary alone, a few requests per athlete
and cache period instead of one per activity. The athlete row records the window the read
covered (``history_since``) and when it was read (``history_read_at``); the feedback claims
nothing about weeks that are not complete in the cache.

Strava's measurement preference (the athlete's units until they choose their own in settings)
is Strava data too: it is read with the history, one ``GET /athlete``, and reset with it.

A refresh replaces every row of the window that was read before it (an activity missing from
the list was deleted on Strava, or made private, and goes); an activity read in detail while
the refresh was under way keeps its detailed verdict.

A read is three steps: the athlete's context (worker.context: their row and cached rows, one
reading transaction), Strava's answers classified in memory, each summary against the sessions
before it, then one write: the rows, the window and the units together.

Summaries that cannot decide are marked for the streams pass (worker.backfill), which only the
connect and an operator's ``stridewise backfill`` start: after every later read it would read
those streams again, about four requests per upload at 5 a week (BENCHMARKS.md).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import LockError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analysis import engine
from analysis.parsers import ActivityFileError
from analysis.parsers.bundle import activity_from_strava
from worker import context, labels
from worker.cache import languages, save_record, utc_offset
from worker.context import AthleteContext
from worker.models import Activity, Athlete, utcnow
from worker.notnow import NotNow
from worker.runtime import Runtime
from worker.tokens import AthleteUnavailable, StravaSession

log = logging.getLogger(__name__)

#: How far back the history is read: what the feedback looks at.
HISTORY_DAYS = engine.HISTORY_DAYS
#: Strava's largest page.
PAGE_SIZE = 200
#: A history this close to its expiry is read again, so a block is never computed from one
#: the purge is deleting; a tenth of a short test cache.
REFRESH_LEAD = timedelta(hours=1)
#: How long a refresh holds its athlete's lock: longer than a few list pages take.
LOCK_S = 120
#: How long a live upload waits for a refresh another worker is doing.
WAIT_S = 2.0

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Classified:
    """A summary as the analysis judged it, to be stored."""

    analysis: engine.Analysis
    undecided: bool  #: for the streams pass
    workout_type: int | None
    utc_offset: timedelta | None  #: the athlete's local time minus UTC at its start


def covered_since(rt: Runtime, athlete: AthleteContext,
                  now: datetime | None = None) -> datetime | None:
    """Since when every session of the athlete is in the cache; None while it must be read."""
    if athlete.history_read_at is None or athlete.history_since is None:
        return None
    horizon = rt.settings.cache_horizon
    lead = min(REFRESH_LEAD, horizon / 10)
    if athlete.history_read_at + horizon - lead <= (now or utcnow()):
        return None
    return athlete.history_since


def complete_since(rt: Runtime, athlete_id: int, now: datetime | None = None) -> datetime | None:
    """As :func:`covered_since`, read from the database; None for an athlete not connected."""
    with rt.db.read() as session:
        athlete = context.load(session, athlete_id)
    return covered_since(rt, athlete, now) if athlete is not None else None


def ensure(rt: Runtime, strava: StravaSession,
           athlete: AthleteContext) -> tuple[AthleteContext, datetime]:
    """The athlete's context with their history complete in the cache, and since when.

    Reads it now (one list request at the session's class) when it is missing or expiring.

    Raises:
        NotNow: another worker is reading it; the caller comes back in a moment.
        AthleteUnavailable: the athlete left meanwhile.
    """
    since = covered_since(rt, athlete)
    if since is not None:
        return athlete, since
    lock = rt.redis.lock(_lock_key(athlete.athlete_id), timeout=LOCK_S)
    if not lock.acquire(blocking=False):
        raise NotNow(WAIT_S, f"athlete {athlete.athlete_id}'s history is being read")
    try:
        athlete = context.read(rt.db, athlete.athlete_id)  # another worker may have read it
        since = covered_since(rt, athlete)
        if since is None:
            athlete = _refresh(rt, strava, athlete)
            since = _since(athlete)
        return athlete, since
    finally:
        with contextlib.suppress(LockError):  # it lapsed: the read is done anyway
            lock.release()


def refresh(rt: Runtime, athlete_id: int, priority: str = "backfill",
            progress: Progress | None = None, force: bool = False) -> int:
    """Read the athlete's history unless it is complete (``force``: whatever its age); returns
    how many sessions the cache holds.

    A live upload that needs the history meanwhile waits for this one read (see :func:`ensure`);
    one that read it first spares this one.

    Raises:
        AthleteUnavailable: the athlete is not connected, must reconnect, or Strava refuses
            them.
    """
    lock = rt.redis.lock(_lock_key(athlete_id), timeout=LOCK_S)
    lock.acquire(blocking=True, blocking_timeout=LOCK_S)
    try:
        athlete = context.read(rt.db, athlete_id)
        if force or covered_since(rt, athlete) is None:
            athlete = _refresh(rt, rt.strava(athlete_id, priority, athlete.token), athlete,
                               progress)
    finally:
        with contextlib.suppress(LockError):
            lock.release()
    return len(athlete.cached)


def _refresh(rt: Runtime, strava: StravaSession, athlete: AthleteContext,
             progress: Progress | None = None) -> AthleteContext:
    """Read the athlete's units and list, classify in memory, write once; the context after."""
    read_at = utcnow()
    since = read_at - timedelta(days=HISTORY_DAYS)
    units = None if athlete.units_chosen else _units(strava.get_athlete())
    if units is not None:
        athlete = athlete.with_units(units)
    summaries = _list(strava, since, progress)
    summaries.sort(key=lambda s: str(s.get("start_date", "")))
    classified, listed = _classify(athlete, summaries, progress)
    with rt.db.session() as session:
        after = _store(session, athlete.athlete_id, classified, listed, since, read_at, units)
    if after is None:
        raise AthleteUnavailable(f"athlete {athlete.athlete_id} disconnected while we worked")
    waiting = sum(1 for c in classified.values() if c.undecided)
    # What a streams pass after this read would cost (BENCHMARKS.md weighs it).
    log.info("history read: %d summaries, %d undecided", len(summaries), waiting,
             extra={"athlete_id": athlete.athlete_id})
    return after


def _since(athlete: AthleteContext) -> datetime:
    if athlete.history_since is None:  # _store sets it
        raise AssertionError("a history read left no window")
    return athlete.history_since


def _units(profile: dict[str, Any]) -> str:
    """Strava's units for an athlete who has not chosen their own."""
    return "imperial" if profile.get("measurement_preference") == "feet" else "metric"


def _list(strava: StravaSession, since: datetime,
          progress: Progress | None) -> list[dict[str, Any]]:
    summaries: list[dict[str, Any]] = []
    page = 1
    while True:
        batch = strava.list_activities(after=int(since.timestamp()), page=page)
        summaries.extend(batch)
        if progress:
            progress(0, None)
        if len(batch) < PAGE_SIZE:
            return summaries
        page += 1


def _classify(athlete: AthleteContext, summaries: list[dict[str, Any]],
              progress: Progress | None) -> tuple[dict[int, Classified], set[int]]:
    """Each readable summary judged against the sessions before it, those of this read
    included, in memory; and the ids of every summary listed."""
    voice, every = athlete.preferences.voice(), languages()
    history = {activity_id: cached.record for activity_id, cached in athlete.cached.items()}
    classified: dict[int, Classified] = {}
    for done, summary in enumerate(summaries, start=1):
        try:
            activity = activity_from_strava(summary)
            activity_id = int(summary["id"])
        except (ActivityFileError, KeyError, TypeError, ValueError) as error:
            log.warning("history skipped an unreadable summary: %s", type(error).__name__,
                        extra={"athlete_id": athlete.athlete_id})
            continue
        window = _window(history.values(), activity.start)
        profile = engine.profile_for(window, activity, activity_id)
        analysis = labels.corrected(engine.analyse(activity, profile, activity_id, voice, every),
                                    activity, athlete.chosen(activity_id))
        undecided = not activity.manual and not engine.judge_summary(activity, profile).decided
        classified[activity_id] = Classified(analysis, undecided, activity.workout_type,
                                             utc_offset(summary))
        history[activity_id] = analysis.record
        if progress:
            progress(done, len(summaries))
    return classified, set(classified)


def _window(records: Any, before: datetime) -> list[Any]:
    since = before - timedelta(days=HISTORY_DAYS)
    return sorted((r for r in records if since <= r.start <= before), key=lambda r: r.start)


def _store(session: Session, athlete_id: int, classified: dict[int, Classified],
           listed: set[int], since: datetime, read_at: datetime,
           units: str | None) -> AthleteContext | None:
    """The read's one write; the athlete's context after it (None: they are gone).

    A row read in detail while we listed keeps its verdict: it knows more. A row of the window
    the list no longer names was deleted on Strava, or made private, and goes."""
    athlete = session.get(Athlete, athlete_id)
    if athlete is None:
        return None
    if units is not None and not athlete.units_chosen:
        athlete.units = units
    held = {row.id: row for row in session.scalars(
        select(Activity).where(Activity.athlete_id == athlete_id))}
    for activity_id, judged in classified.items():
        row = held.get(activity_id)
        if row is not None and row.fetched_at >= read_at:
            continue
        row = save_record(session, athlete_id, activity_id, judged.analysis,
                          used_streams=False, fetched_at=read_at,
                          utc_offset=judged.utc_offset)
        row.used_streams = False
        row.needs_streams = judged.undecided
        row.workout_type = judged.workout_type  # the streams pass reads it again
    session.flush()
    session.execute(delete(Activity).where(
        Activity.athlete_id == athlete_id, Activity.start_date >= since,
        Activity.fetched_at < read_at, Activity.id.not_in(listed)))
    athlete.history_since, athlete.history_read_at = since, read_at
    return context.load(session, athlete_id)


def _lock_key(athlete_id: int) -> str:
    return f"stridewise:lock:history:{athlete_id}"
