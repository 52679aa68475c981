"""What happens to a webhook event: read the activity, analyse it, write the block back.

Every step is idempotent and keyed by Strava's ids: an event handled twice finds its inbox row
finished, an activity analysed twice is updated in place, and a block that did not change is
not written again. Requests are counted like money: the activity is read once (with its
description, laps and splits), streams only when the summary cannot decide, and history comes
from Strava's cache in our database, read again first when it is missing or expiring
(worker.history): no block is written from a history that has not been read.

One event is one unit of work: the claim (one transaction); the athlete's context (worker.
context: one reading transaction); Strava and the analysis, with no database open; then one
write, in which the activity's row, the block written and the inbox's finish commit together,
with the athlete's weeks when the event had to read them first (worker.history.weeks).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import redis
from redis.exceptions import LockError, LockNotOwnedError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis import description as desc
from analysis import engine
from analysis.model import Activity as ActivityData
from analysis.parsers import ActivityFileError
from analysis.parsers.bundle import activity_from_strava
from analysis.training import Past
from worker import context, history, labels
from worker.budget import QuotaExhausted, Reservation
from worker.cache import languages, save_record, utc_offset
from worker.config import DEFAULT_ACTIVITY_LOCK_S, DEFAULT_NOT_FOUND_DELAY_S
from worker.context import AthleteContext
from worker.forget import forget_activity, forget_athlete
from worker.inbox import Claim, EventStatus, Inbox
from worker.models import Activity, Athlete, utcnow
from worker.notnow import NotNow
from worker.outcomes import Hopeless
from worker.runtime import Runtime
from worker.strava import StravaNotFound, StravaRejected, StravaUnauthorized
from worker.tokens import AthleteUnavailable, StravaSession

log = logging.getLogger(__name__)


def not_found_delays(first_s: float) -> tuple[float, ...]:
    """Waits before reading again an activity whose create event Strava sent before the
    activity could be read (404): at most three more reads, each four times further apart than
    the one before, then it is taken for what it most likely is, an event for an activity that
    does not exist (a forged one). ``first_s`` is STRIDEWISE_NOT_FOUND_DELAY."""
    return tuple(first_s * 4 ** n for n in range(3))


#: The waits of the default STRIDEWISE_NOT_FOUND_DELAY: 15, 60 and 240 s.
NOT_FOUND_DELAYS_S = not_found_delays(DEFAULT_NOT_FOUND_DELAY_S)
#: How long to wait for another worker that holds the activity.
LOCKED_RETRY_S = 5
#: How long one worker holds an activity before its lock lapses, by default
#: (STRIDEWISE_ACTIVITY_LOCK); see worker.config.DEFAULT_ACTIVITY_LOCK_S.
ACTIVITY_LOCK_S = DEFAULT_ACTIVITY_LOCK_S
#: A lock set this recently, in sixtieths of its time, is not set again between steps (see
#: ActivityLock): one second of the default minute.
KEEPALIVE_AFTER = 1 / 60
KEEPALIVE_AFTER_S = ACTIVITY_LOCK_S * KEEPALIVE_AFTER

#: What an event learnt, written in its one transaction (the caller's).
Write = Callable[[Session], None]


class UnreadableActivity(Hopeless):
    """Strava's answer cannot be analysed: retrying will not help, a person should look."""


@dataclass(frozen=True)
class Result:
    """What handling an event did, for logs, metrics and tests; and what it has to write."""

    status: EventStatus  # done or skipped
    detail: str
    wrote: bool = False
    write: Write | None = field(default=None, compare=False, repr=False)
    #: Called once the write committed, or failed (the history's lock is let go of).
    after: Callable[[], None] | None = field(default=None, compare=False, repr=False)


def handle_event(rt: Runtime, event_id: int) -> Result:
    """Handle one inbox event to the end; finished events are a no-op."""
    claim = rt.inbox.claim(event_id)
    if isinstance(claim, str):
        return Result(EventStatus.SKIPPED, claim)
    kind = (claim.object_type, claim.aspect_type)
    owner, object_id = claim.owner_id, claim.object_id
    try:
        result = _dispatch(rt, claim)
    except AthleteUnavailable as error:
        result = Result(EventStatus.SKIPPED, str(error))
    result = finish(rt, claim, result)
    ids = {"event_id": event_id, "athlete_id": owner,
           "activity_id": object_id if kind[0] == "activity" else None, "status": result.status}
    log.info("%s %s: %s", kind[0], kind[1], result.detail, extra=ids)
    return result


def finish(rt: Runtime, claim: Claim, result: Result) -> Result:
    """The event's one write: what it learnt and the inbox row's finish, together.

    An athlete deleted while their event waited or ran (a deauthorization racing their own
    request, say) is skipped, and their event goes too, so nothing about them outlives the
    deletion. A concurrent insert of the same activity (a backfill) is updated: the write is
    tried once more.
    """
    try:
        commit(rt, result, lambda session: _finished(session, claim, result))
    except AthleteUnavailable as gone:
        result = Result(EventStatus.SKIPPED, str(gone))
        commit(rt, result, lambda session: _finished(session, claim, result))
    return result


def commit(rt: Runtime, result: Result, then: Write = lambda _session: None) -> None:
    """Write what ``result`` learnt, then ``then``, in one transaction; then its ``after``."""
    try:
        for attempt in range(2):
            try:
                with rt.db.session() as session:
                    if result.write is not None:
                        result.write(session)
                    then(session)
                return
            except IntegrityError:
                if attempt:
                    raise
    finally:
        if result.after is not None:
            result.after()


def _finished(session: Session, claim: Claim, result: Result) -> None:
    Inbox.finish_in(session, claim.event_id, result.status, result.detail)
    if result.status == EventStatus.SKIPPED and session.get(Athlete, claim.owner_id) is None:
        Inbox.forget_owner(session, claim.owner_id)


def _dispatch(rt: Runtime, claim: Claim) -> Result:
    kind = (claim.object_type, claim.aspect_type)
    owner, object_id = claim.owner_id, claim.object_id
    if kind == ("athlete", "update") \
            and str(claim.updates.get("authorized", "")).lower() == "false":
        return deauthorized(rt, owner, claim.event_time)
    if kind == ("activity", "delete"):
        return deleted(rt, owner, object_id)
    if kind in (("activity", "create"), ("activity", "update")):
        return _activity_event(rt, claim)
    return Result(EventStatus.SKIPPED, f"nothing to do for {kind[0]} {kind[1]}")


def _activity_event(rt: Runtime, claim: Claim) -> Result:
    owner, object_id, create = claim.owner_id, claim.object_id, claim.aspect_type == "create"
    lock = ActivityLock(rt.redis, object_id, ttl_s=rt.settings.activity_lock_s)
    if not lock.acquire():
        raise NotNow(LOCKED_RETRY_S, f"activity {object_id} is being handled by another worker")
    try:
        athlete, duplicate = _read(rt, owner, object_id, create)
        if duplicate:
            return Result(EventStatus.DONE, f"activity {object_id} already has its block")
        return _sync_activity(rt, owner, athlete, object_id, lock.keepalive)
    except StravaNotFound:
        if not create or rt.inbox.delete_seen(object_id):
            return Result(EventStatus.SKIPPED, f"activity {object_id} not found at Strava")
        misses = rt.inbox.missed(claim.event_id)
        delays = not_found_delays(rt.settings.not_found_delay_s)
        if misses > len(delays):
            return Result(EventStatus.SKIPPED, f"activity {object_id} not found at Strava "
                                               f"after {misses} reads")
        raise NotNow(delays[misses - 1],
                     f"activity {object_id} not readable yet") from None
    except StravaRejected as refused:
        return rejected(object_id, refused)
    finally:
        lock.release()


class ActivityLock:
    """One worker's hold on an activity: its Redis lock, set again between steps.

    A step that ends less than a sixtieth of the lock's time (``ttl_s``, STRIDEWISE_ACTIVITY_LOCK;
    KEEPALIVE_AFTER_S of the default) after the lock was last set leaves it as it is: the next
    step still starts with all but that much of the lock's time left, and an event
    whose steps are quick (most) sends Redis the lock's SET and its release only.
    """

    def __init__(self, client: redis.Redis, activity_id: int,
                 clock: Callable[[], float] = time.monotonic,
                 ttl_s: float = ACTIVITY_LOCK_S) -> None:
        self.lock = client.lock(f"stridewise:lock:activity:{activity_id}", timeout=ttl_s)
        self.clock = clock
        self.keepalive_after_s = ttl_s * KEEPALIVE_AFTER
        self.set_at = 0.0

    def acquire(self) -> bool:
        """Take the lock; False when another worker holds it."""
        self.set_at = self.clock()  # before the SET: the lock lasts at least from here
        return bool(self.lock.acquire(blocking=False))

    def keepalive(self) -> None:
        """Set the lock's time to ``ttl_s`` again, unless it was set moments ago."""
        now = self.clock()
        if now - self.set_at < self.keepalive_after_s:
            return
        with contextlib.suppress(LockError):  # it lapsed: this worker finishes its step anyway
            self.lock.reacquire()
            self.set_at = now

    def release(self) -> None:
        with contextlib.suppress(LockNotOwnedError):  # expired, or Redis lost it: work done
            self.lock.release()


def _read(rt: Runtime, athlete_id: int, activity_id: int,
          create: bool) -> tuple[AthleteContext | None, bool]:
    """The event's one read: the athlete's context, and whether a create event is a duplicate:
    the athlete's activity has our block and no update event came since it was written (Strava
    sends duplicates some seconds apart, and changes arrive as update events), so it costs
    nothing."""
    with rt.db.read() as session:
        athlete = context.load(session, athlete_id)
        cached = athlete.cached.get(activity_id) if athlete is not None else None
        written = cached.block_written_at if cached is not None else None
        duplicate = create and written is not None \
            and not Inbox.updated_since(session, activity_id, written)
    return athlete, duplicate


def rejected(activity_id: int, refused: StravaRejected) -> Result:
    """Strava's 4xx that no retry can change. A 403 means the activity is not ours to read: it
    is skipped. Anything else (a 400: our request was wrong; our client refused) is a dead
    letter, for a person to look at."""
    status = EventStatus.SKIPPED if refused.status == 403 else EventStatus.DEAD
    return Result(status, f"activity {activity_id}: {refused}")


def sync_activity(rt: Runtime, athlete_id: int, activity_id: int,
                  keepalive: Callable[[], object] = lambda: None) -> Result:
    """Read, analyse and annotate one activity, and store what was learnt; at most 4
    requests, usually 2.

    ``keepalive`` is called between steps (it extends the activity's lock). A 401 with a token
    that has not expired means Strava revoked it: one refresh is tried, and if Strava still
    refuses, the athlete is marked as needing to reconnect and the job is skipped. So is a
    permission the athlete did not grant: no refresh brings it back.
    """
    athlete, _ = _read(rt, athlete_id, activity_id, create=False)
    result = _sync_activity(rt, athlete_id, athlete, activity_id, keepalive)
    commit(rt, result)
    return result


def _sync_activity(rt: Runtime, athlete_id: int, athlete: AthleteContext | None,
                   activity_id: int, keepalive: Callable[[], object]) -> Result:
    """Everything between the event's read and its write: Strava and the analysis."""
    if athlete is None:
        raise AthleteUnavailable(f"athlete {athlete_id} is not connected")
    athlete = athlete.require_active()
    strava = rt.strava(athlete.athlete_id, "live", athlete.token)
    weeks = history.weeks(rt, strava, athlete)
    try:
        # The read and the write are reserved together, so a window never closes between them.
        reservation = strava.reserve(2)
        try:
            result = _sync(strava, weeks.context, weeks.since, activity_id, reservation,
                           keepalive, rt.settings.reread_after_s)
        finally:
            reservation.close()
    except BaseException:
        weeks.keep(rt.db)  # the weeks read are stored even so
        raise
    if weeks.write is None:
        return result
    return replace(result, write=_both(weeks.write, result.write), after=weeks.written)


def _both(first: Write, then: Write | None) -> Write:
    """The weeks' write, then the event's: the event's row is the later read of its activity."""

    def write(session: Session) -> None:
        first(session)
        if then is not None:
            then(session)

    return write


def _sync(strava: StravaSession, athlete: AthleteContext, since: datetime, activity_id: int,
          reservation: Reservation, keepalive: Callable[[], object],
          reread_after_s: float) -> Result:
    """Read, analyse and write the block; the description is read again before the write when
    the first read is more than ``reread_after_s`` old (STRIDEWISE_REREAD_AFTER): the athlete
    may have edited it meanwhile, and Strava has no conditional PUT."""
    read_at = time.monotonic()
    fetched_at = utcnow()
    detailed = strava.get_activity(activity_id, prepaid=reservation)
    keepalive()
    if _owner(detailed) not in (None, athlete.athlete_id):
        return Result(EventStatus.SKIPPED, f"activity {activity_id} belongs to another athlete")
    activity = _parse(detailed, None, activity_id)
    history = athlete.history(activity.start)
    profile = engine.profile_for(history, activity, activity_id)
    chosen = athlete.preferences
    voice = chosen.voice()
    verdict = engine.judge_summary(activity, profile, voice)
    used_streams = False
    if not verdict.decided and not activity.manual:
        try:
            streams = strava.get_streams(activity_id)
        except QuotaExhausted as short:
            log.info("streams skipped: %s", short, extra={"activity_id": activity_id})
        else:
            activity = _parse(detailed, streams, activity_id)
            used_streams = bool(streams)
    analysis = labels.corrected(engine.analyse(activity, profile, activity_id, voice, languages()),
                                activity, athlete.chosen(activity_id))
    offset = utc_offset(detailed)
    save = _saver(athlete.athlete_id, activity_id, analysis, used_streams, fetched_at, offset)
    if not chosen.feedback_on:
        return Result(EventStatus.DONE, "feedback turned off", write=save)
    block = engine.feedback(analysis, Past(tuple(history), since), activity,
                            voice, offset)
    cached = athlete.cached.get(activity_id)
    written_before = cached is not None and cached.block_digest is not None
    current = detailed.get("description") or ""
    if not desc.should_write(current, written_before):
        return Result(EventStatus.DONE, "block not wanted here", write=save)
    merged = desc.merge(current, block)
    if merged == current:
        return Result(EventStatus.DONE, "block unchanged", write=save)
    if time.monotonic() - read_at > reread_after_s:
        current = strava.get_activity(activity_id).get("description") or ""
        if not desc.should_write(current, written_before):
            return Result(EventStatus.DONE, "athlete removed the block or opted out meanwhile",
                          write=save)
        merged = desc.merge(current, block)
    keepalive()
    strava.update_description(activity_id, merged, prepaid=reservation)
    return Result(EventStatus.DONE, "block written", wrote=True,
                  write=_saver(athlete.athlete_id, activity_id, analysis, used_streams,
                               fetched_at, offset, block))


def _parse(detailed: dict[str, Any], streams: dict[str, Any] | None,
           activity_id: int) -> ActivityData:
    try:
        return activity_from_strava(detailed, streams)
    except ActivityFileError as error:
        raise UnreadableActivity(
            f"activity {activity_id}: Strava sent data we cannot read: {error}"
        ) from None


def _owner(detailed: dict[str, Any]) -> int | None:
    athlete = detailed.get("athlete")
    return int(athlete["id"]) if isinstance(athlete, dict) and "id" in athlete else None


def _saver(athlete_id: int, activity_id: int, analysis: engine.Analysis, used_streams: bool,
           fetched_at: datetime, offset: timedelta | None, block: str | None = None) -> Write:
    """The event's write: the analysis stored, and the block when one was written."""

    def write(session: Session) -> None:
        if session.get(Athlete, athlete_id) is None:
            raise AthleteUnavailable(f"athlete {athlete_id} disconnected while we worked")
        row = save_record(session, athlete_id, activity_id, analysis, used_streams, fetched_at,
                          offset)
        if block is not None:
            row.block_digest = hashlib.sha256(block.encode()).hexdigest()
            row.block, row.block_written_at = block, utcnow()

    return write


def deauthorized(rt: Runtime, athlete_id: int, event_time: int) -> Result:
    """A deauthorization event is a hint: the athlete's data goes once Strava refuses them.

    An event from before the athlete's last connect is about an earlier grant, and ignored.
    """
    with rt.db.read() as session:
        athlete = session.get(Athlete, athlete_id)
        connected_at = athlete.connected_at if athlete is not None else None
    if connected_at is None:
        return Result(EventStatus.SKIPPED, f"athlete {athlete_id} is not connected")
    if event_time < int(connected_at.timestamp()):
        return Result(EventStatus.SKIPPED,
                      f"deauthorization of athlete {athlete_id} older than their last connect")
    if strava_serves(rt, athlete_id):
        return Result(EventStatus.SKIPPED, f"Strava still serves athlete {athlete_id}: "
                                           "their deauthorization is not believed")
    forget_athlete(rt, athlete_id, revoke=False)
    return Result(EventStatus.DONE, f"athlete {athlete_id} deauthorized: all their data deleted")


def strava_serves(rt: Runtime, athlete_id: int) -> bool:
    """Whether Strava still answers for the athlete: their token, refreshed if need be, reads
    GET /athlete. One request when it does; a refused token costs the refresh too.

    An athlete already marked as needing to reconnect is asked too, with their refresh token:
    a forged event must not delete them, and only Strava refusing the grant (400 RefreshToken
    invalid, worker.strava.StravaGrantGone) says they left. Any other failure (Strava down,
    our credentials refused) is raised, and the event is tried again or buried, not believed.
    """
    try:
        if not rt.tokens.active(athlete_id):
            rt.gateway.get_athlete(rt.tokens.refresh_anyway(athlete_id), athlete_id=athlete_id)
            return True
        token = rt.tokens.access_token(athlete_id)
        try:
            rt.gateway.get_athlete(token, athlete_id=athlete_id)
        except StravaUnauthorized:
            rt.gateway.get_athlete(rt.tokens.replace_rejected(athlete_id, token),
                                   athlete_id=athlete_id)
    except StravaUnauthorized as refused:
        rt.tokens.mark_needs_reauth(athlete_id, str(refused))
        return False
    except AthleteUnavailable:  # Strava refused the refresh token: the grant is gone
        return False
    return True


def deleted(rt: Runtime, athlete_id: int, activity_id: int) -> Result:
    """A delete event is a hint too: the owner's row goes once Strava no longer has it.

    Only an activity of the event's owner is touched, and only after Strava answers 404 for it,
    so a forged delete (followed by a create or an update) cannot erase the athlete's choice to
    have no block on it. An activity we do not hold costs nothing.
    """
    with rt.db.read() as session:
        held = session.scalar(select(Activity.id).where(
            Activity.id == activity_id, Activity.athlete_id == athlete_id)) is not None
    if held:
        if _still_at_strava(rt.strava(athlete_id, "live"), activity_id):
            return Result(EventStatus.SKIPPED, f"activity {activity_id} still at Strava: "
                                               "its delete is not believed")
        forget_activity(rt, athlete_id, activity_id)
    return Result(EventStatus.DONE, f"activity {activity_id} forgotten")


def _still_at_strava(strava: StravaSession, activity_id: int) -> bool:
    reservation = strava.reserve(1)
    try:
        strava.get_activity(activity_id, prepaid=reservation)
    except StravaNotFound:
        return False
    finally:
        reservation.close()
    return True
