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
before it, then one write: the rows, the window and the units together. An event that reads the
weeks (:func:`weeks`) goes on with them in memory, and their write joins the event's own one
write (worker.sync): the claim, the read and that write, three transactions.

Summaries that cannot decide are marked for the streams pass (worker.backfill), which only the
connect and an operator's ``stridewise backfill`` start: after every later read it would read
those streams again, about four requests per upload at 5 a week (BENCHMARKS.md).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import LockError
from redis.lock import Lock
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analysis import engine
from analysis.parsers import ActivityFileError
from analysis.parsers.bundle import activity_from_strava
from worker import context, labels
from worker.cache import languages, save_record, utc_offset
from worker.context import AthleteContext, Cached
from worker.db import Database
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
#: How long a read holds its athlete's lock: longer than a few list pages take, and the
#: requests of the event that read them, until its write stores them.
LOCK_S = 120
#: How long a live upload waits for a refresh another worker is doing.
WAIT_S = 2.0
#: How long an event's lock on the weeks outlives their write: an event of the same athlete
#: that read them missing just before the write, and comes for the lock just after it, waits
#: WAIT_S and reads the athlete again instead of reading the weeks a second time. That gap
#: (one reading transaction) is milliseconds; this is its margin.
LINGER_S = 2.0

Progress = Callable[[int, int | None], None]
#: A write in the caller's transaction.
Write = Callable[[Session], None]


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


@dataclass(frozen=True)
class Weeks:
    """The athlete's weeks for one event: their context with the weeks complete, and since
    when. When the event read them, ``write`` stores the read (in the event's one write) and
    ``lock`` is the history's lock the event holds until then."""

    context: AthleteContext
    since: datetime
    write: Write | None = None
    lock: Lock | None = None

    def written(self) -> None:
        """The read is stored (or never will be): the lock lingers LINGER_S, then lapses."""
        if self.lock is not None:
            with contextlib.suppress(LockError):  # it lapsed: nothing to let go of
                self.lock.extend(LINGER_S, replace_ttl=True)

    def keep(self, db: Database) -> None:
        """Store the read in a transaction of its own (the event failed after reading it: the
        requests it cost are not wasted), then let go of the lock."""
        try:
            if self.write is not None:
                with db.session() as session:
                    self.write(session)
        except AthleteUnavailable:
            pass  # they left: nothing of theirs is kept
        except Exception:  # the event's own failure is the one to report
            log.exception("the weeks an event read could not be stored",
                          extra={"athlete_id": self.context.athlete_id})
        finally:
            self.written()


def weeks(rt: Runtime, strava: StravaSession, athlete: AthleteContext) -> Weeks:
    """The athlete's weeks: those of the context when complete; otherwise read now (one list
    request at the session's class, more for a long list) under the history's lock and
    classified in memory, their write left to the caller (:class:`Weeks`).

    Raises:
        NotNow: another worker is reading them, or has just read them (the lock lingers);
            the caller comes back in a moment and reads the athlete again.
    """
    since = covered_since(rt, athlete)
    if since is not None:
        return Weeks(athlete, since)
    lock = rt.redis.lock(_lock_key(athlete.athlete_id), timeout=LOCK_S)
    if not lock.acquire(blocking=False):
        raise NotNow(WAIT_S, f"athlete {athlete.athlete_id}'s history is being read")
    try:
        read = _read(strava, athlete)
    except BaseException:
        with contextlib.suppress(LockError):
            lock.release()
        raise
    after = read.context(athlete)
    return Weeks(after, _since(after), read.store, lock)


def refresh(rt: Runtime, athlete_id: int, priority: str = "backfill",
            progress: Progress | None = None, force: bool = False) -> int:
    """Read the athlete's history unless it is complete (``force``: whatever its age); returns
    how many sessions the cache holds.

    A live upload that needs the history meanwhile waits for this one read (see :func:`weeks`);
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
            read = _read(rt.strava(athlete_id, priority, athlete.token), athlete, progress)
            with rt.db.session() as session:
                read.store(session)
                stored = context.load(session, athlete_id)
            athlete = stored or athlete
    finally:
        with contextlib.suppress(LockError):
            lock.release()
    return len(athlete.cached)


@dataclass(frozen=True)
class Read:
    """One read of the athlete's weeks from Strava, classified, not yet stored."""

    athlete_id: int
    classified: dict[int, Classified]
    listed: set[int]
    since: datetime
    read_at: datetime
    units: str | None

    def store(self, session: Session) -> None:
        """The read's one write, in the caller's transaction.

        Raises:
            AthleteUnavailable: the athlete is gone.
        """
        if not _store(session, self.athlete_id, self.classified, self.listed, self.since,
                      self.read_at, self.units):
            raise AthleteUnavailable(f"athlete {self.athlete_id} disconnected while we worked")

    def context(self, before: AthleteContext) -> AthleteContext:
        """The athlete's context once the read is stored, in memory: what :func:`_store`
        leaves of their rows (a row read in detail since keeps its verdict; a row of the window
        the list no longer names goes)."""
        cached = dict(before.cached)
        for activity_id, judged in self.classified.items():
            held = cached.get(activity_id)
            if held is not None and held.fetched_at >= self.read_at:
                continue
            cached[activity_id] = Cached(
                judged.analysis.record, self.read_at, held.chosen if held else None,
                held.block_digest if held else None, held.block_written_at if held else None)
        for activity_id, held in list(cached.items()):
            if held.record.start >= self.since and held.fetched_at < self.read_at \
                    and activity_id not in self.listed:
                del cached[activity_id]
        after = before.with_units(self.units) if self.units is not None else before
        return replace(after, history_since=self.since, history_read_at=self.read_at,
                       cached=cached)


def _read(strava: StravaSession, athlete: AthleteContext,
          progress: Progress | None = None) -> Read:
    """Read the athlete's units and list, and classify in memory."""
    read_at = utcnow()
    since = read_at - timedelta(days=HISTORY_DAYS)
    units = None if athlete.units_chosen else _units(strava.get_athlete())
    if units is not None:
        athlete = athlete.with_units(units)
    summaries = _list(strava, since, progress)
    summaries.sort(key=lambda s: str(s.get("start_date", "")))
    classified, listed = _classify(athlete, summaries, progress)
    waiting = sum(1 for c in classified.values() if c.undecided)
    # What a streams pass after this read would cost (BENCHMARKS.md weighs it).
    log.info("history read: %d summaries, %d undecided", len(summaries), waiting,
             extra={"athlete_id": athlete.athlete_id})
    return Read(athlete.athlete_id, classified, listed, since, read_at, units)


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
           units: str | None) -> bool:
    """The read's one write; False when the athlete is gone.

    A row read in detail while we listed keeps its verdict: it knows more. A row of the window
    the list no longer names was deleted on Strava, or made private, and goes."""
    athlete = session.get(Athlete, athlete_id)
    if athlete is None:
        return False
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
    return True


def _lock_key(athlete_id: int) -> str:
    return f"stridewise:lock:history:{athlete_id}"
