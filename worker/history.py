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

Summaries that cannot decide are marked for the streams pass (worker.backfill), which only the
connect and an operator's ``stridewise backfill`` start: after every later read it would read
those streams again, about four requests per upload at 5 a week (BENCHMARKS.md).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import LockError
from sqlalchemy import delete, func, select

from analysis import engine
from analysis.parsers import ActivityFileError
from analysis.parsers.bundle import activity_from_strava
from worker import labels, preferences
from worker.cache import load_history, save_record, utc_offset
from worker.models import Activity, Athlete, utcnow
from worker.notnow import NotNow
from worker.runtime import Runtime

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


def complete_since(rt: Runtime, athlete_id: int, now: datetime | None = None) -> datetime | None:
    """Since when every session of the athlete is in the cache; None while it must be read."""
    with rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        if athlete is None or athlete.history_read_at is None or athlete.history_since is None:
            return None
        horizon = rt.settings.cache_horizon
        lead = min(REFRESH_LEAD, horizon / 10)
        if athlete.history_read_at + horizon - lead <= (now or utcnow()):
            return None
        return athlete.history_since


def ensure(rt: Runtime, token: str, athlete_id: int, priority: str = "live") -> datetime:
    """The athlete's history is complete in the cache since the moment returned.

    Reads it now (one list request at ``priority``) when it is missing or expiring.

    Raises:
        NotNow: another worker is reading it; the caller comes back in a moment.
    """
    since = complete_since(rt, athlete_id)
    if since is not None:
        return since
    lock = rt.redis.lock(_lock_key(athlete_id), timeout=LOCK_S)
    if not lock.acquire(blocking=False):
        raise NotNow(WAIT_S, f"athlete {athlete_id}'s history is being read")
    try:
        since = complete_since(rt, athlete_id)
        if since is None:
            since = _refresh(rt, token, athlete_id, priority)
        return since
    finally:
        with contextlib.suppress(LockError):  # it lapsed: the read is done anyway
            lock.release()


def refresh(rt: Runtime, athlete_id: int, priority: str = "backfill",
            progress: Progress | None = None, force: bool = False) -> int:
    """Read the athlete's history unless it is complete (``force``: whatever its age); returns
    how many sessions the cache holds.

    A live upload that needs the history meanwhile waits for this one read (see :func:`ensure`);
    one that read it first spares this one.
    """
    token = rt.tokens.access_token(athlete_id)
    lock = rt.redis.lock(_lock_key(athlete_id), timeout=LOCK_S)
    lock.acquire(blocking=True, blocking_timeout=LOCK_S)
    try:
        if force or complete_since(rt, athlete_id) is None:
            _refresh(rt, token, athlete_id, priority, progress)
    finally:
        with contextlib.suppress(LockError):
            lock.release()
    with rt.db.session() as session:
        return len(session.scalars(select(Activity.id)
                                   .where(Activity.athlete_id == athlete_id)).all())


def _refresh(rt: Runtime, token: str, athlete_id: int, priority: str,
             progress: Progress | None = None) -> datetime:
    read_at = utcnow()
    since = read_at - timedelta(days=HISTORY_DAYS)
    _read_units(rt, token, athlete_id, priority)
    summaries = _list(rt, token, athlete_id, since, priority, progress)
    summaries.sort(key=lambda s: str(s.get("start_date", "")))
    listed: set[int] = set()
    for done, summary in enumerate(summaries, start=1):
        stored = _store(rt, athlete_id, summary, read_at)
        if stored is not None:
            listed.add(stored)
        if progress:
            progress(done, len(summaries))
    with rt.db.session() as session:
        session.execute(delete(Activity).where(
            Activity.athlete_id == athlete_id, Activity.start_date >= since,
            Activity.fetched_at < read_at, Activity.id.not_in(listed)))
        athlete = session.get(Athlete, athlete_id)
        if athlete is not None:
            athlete.history_since, athlete.history_read_at = since, read_at
        waiting = session.scalar(select(func.count()).select_from(Activity).where(
            Activity.athlete_id == athlete_id, Activity.needs_streams.is_(True)))
    # What a streams pass after this read would cost (BENCHMARKS.md weighs it).
    log.info("history read: %d summaries, %d undecided", len(summaries), waiting or 0,
             extra={"athlete_id": athlete_id})
    return since


def _read_units(rt: Runtime, token: str, athlete_id: int, priority: str) -> None:
    """Strava's units for an athlete who has not chosen their own."""
    with rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        if athlete is None or athlete.units_chosen:
            return
    profile = rt.gateway.get_athlete(token, priority=priority, athlete_id=athlete_id)
    units = "imperial" if profile.get("measurement_preference") == "feet" else "metric"
    with rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        if athlete is not None and not athlete.units_chosen:
            athlete.units = units


def _list(rt: Runtime, token: str, athlete_id: int, since: datetime, priority: str,
          progress: Progress | None) -> list[dict[str, Any]]:
    summaries: list[dict[str, Any]] = []
    page = 1
    while True:
        batch = rt.gateway.list_activities(token, after=int(since.timestamp()), page=page,
                                           priority=priority, athlete_id=athlete_id)
        summaries.extend(batch)
        if progress:
            progress(0, None)
        if len(batch) < PAGE_SIZE:
            return summaries
        page += 1


def _store(rt: Runtime, athlete_id: int, summary: dict[str, Any],
           read_at: datetime) -> int | None:
    """Classify one summary and store it; returns its id, None when it cannot be read."""
    try:
        activity = activity_from_strava(summary)
        activity_id = int(summary["id"])
    except (ActivityFileError, KeyError, TypeError, ValueError) as error:
        log.warning("history skipped an unreadable summary: %s", type(error).__name__,
                    extra={"athlete_id": athlete_id})
        return None
    history = load_history(rt, athlete_id, activity.start)
    profile = engine.profile_for(history, activity, activity_id)
    analysis = labels.honour(rt.db, activity_id, activity, engine.analyse(
        activity, profile, activity_id, preferences.voice_of(rt.db, athlete_id)))
    undecided = not activity.manual and not engine.judge_summary(activity, profile).decided
    with rt.db.session() as session:
        if session.get(Athlete, athlete_id) is None:
            return activity_id
        row = session.get(Activity, activity_id)
        if row is not None and row.fetched_at >= read_at:
            return activity_id  # read in detail while we listed: its verdict knows more
        row = save_record(session, athlete_id, activity_id, analysis, used_streams=False,
                          fetched_at=read_at, utc_offset=utc_offset(summary))
        row.used_streams = False
        row.needs_streams = undecided
        row.workout_type = activity.workout_type  # the streams pass reads it again
    return activity_id


def _lock_key(athlete_id: int) -> str:
    return f"stridewise:lock:history:{athlete_id}"
