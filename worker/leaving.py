"""Leaving with the blocks removed: an athlete who deletes their data may first have Stridewise
take its blocks out of their activities' descriptions, their own text left byte for byte.

The athlete chooses on /me/delete: the activities the cache still holds whose block we wrote
(known, no list needed), and optionally every activity back to a date they pick, which costs
list reads (one per 200 activities) and one read per activity, since the cache holds no older
ones. The work runs in the background (the ``remove_blocks`` actor, a batch at a time) within
the quota at backfill priority: a spent quota makes the job wait for the window to reopen,
keeping what was done. Each description is read, and written back only when it holds our block,
with :func:`analysis.description.remove` (the one function that splits the athlete's text
from our block) applied to what Strava holds at that moment. Beyond the cache nothing tells
which activities we wrote into, so a block the athlete copied into an activity we never wrote
into looks like ours there and goes too; in the cache, activities without a block of ours are
not read at all.

When the last description is read, everything about the athlete is deleted and our access
revoked (:func:`worker.forget.forget_athlete`), as it is at once when they do not ask for the
blocks to go. If Strava refuses our access before the end (the athlete revoked it in their
Strava settings), the blocks not yet reached stay and the data goes at once; the
deauthorization event Strava sends deletes it too, and the job then finds nothing to do. A
removal still running LEAVING_AT_MOST after it started gives up and deletes (Strava's policy
wants deleted data gone promptly). While leaving, no new block is written (feedback off).

What was done is kept for LEFT_KEPT_S in Redis under the hash of each of the athlete's
session ids (counts only, no athlete id), so the page they watch can say it after their
session is gone.
"""

from __future__ import annotations

import itertools
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from analysis.description import find_block, remove
from worker.forget import forget_athlete
from worker.models import Activity, Athlete, Leaving, LeavingActivity, WebSession, utcnow
from worker.notnow import NotNow
from worker.queue import BACKFILL_QUEUE, REMOVE_BLOCKS, enqueue
from worker.runtime import Runtime
from worker.strava import MAX_PER_PAGE, StravaNotFound, StravaRejected, StravaUnavailable
from worker.tokens import AthleteUnavailable, StravaSession

log = logging.getLogger(__name__)

#: Descriptions one job reads before it sends the next job (a job stays short).
BATCH = 20
#: Requests of the removal spend only what live work leaves (worker.budget.PRIORITIES).
PRIORITY = "backfill"
#: A removal still running this long after it started gives up and deletes the athlete.
LEAVING_AT_MOST = timedelta(hours=48)
#: Seconds before a removal Strava could not serve (5xx, timeouts) is tried again.
UNAVAILABLE_WAIT_S = 60
#: Where the outcome waits for the page, by the hash of a session id, and for how long.
LEFT_KEY = "stridewise:left:"
LEFT_KEPT_S = 3600
#: How far back an athlete may ask for blocks to be removed beyond the cache, in months.
BACK_MONTHS = (3, 12, 24)
#: Days in a month, on average over the Gregorian calendar's 400 years.
MONTH_DAYS = 30.436875


@dataclass(frozen=True)
class Progress:
    """What a removal has done so far, for the page the athlete watches."""

    to_read: int  # descriptions listed and still to read
    read: int
    removed: int
    without_block: int
    gone: int
    failed: int  # Strava refused to give or take the description (a 4xx): its block stays
    listed: bool  # the older activities are listed (or none were asked for)
    back_to: datetime | None
    stopped: bool = False  # Strava refused our access before the end
    language: str = "en"  # the athlete's, kept with what was done for the page that says it

    @property
    def total(self) -> int:
        return self.to_read + self.read


def known_blocks(rt: Runtime, athlete_id: int) -> int:
    """How many of the athlete's cached activities hold a block we wrote."""
    with rt.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Activity).where(
            Activity.athlete_id == athlete_id, Activity.block_digest.is_not(None))) or 0)


def months_back(months: int, now: datetime) -> datetime:
    """The start of the activities ``months`` back from ``now``."""
    return now - timedelta(days=months * MONTH_DAYS)


def start(rt: Runtime, athlete_id: int, back_to: datetime | None) -> bool:
    """Record that the athlete leaves once their blocks are removed (the cached ones, and with
    ``back_to`` every activity since then), and send the job; False for an unknown athlete.
    A removal already under way is left as it is."""
    with rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        if athlete is None:
            return False
        athlete.feedback_on = False  # no new block while the old ones are taken out
        if session.get(Leaving, athlete_id) is None:
            session.add(Leaving(athlete_id=athlete_id, back_to=back_to,
                                listed=back_to is None, started_at=utcnow(), removed=0,
                                without_block=0, gone=0, failed=0))
            for activity_id in session.scalars(select(Activity.id).where(
                    Activity.athlete_id == athlete_id, Activity.block_digest.is_not(None))):
                session.add(LeavingActivity(athlete_id=athlete_id, activity_id=activity_id,
                                            known=True, done=False))
    send(rt, athlete_id)
    log.info("athlete leaves once their blocks are removed", extra={"athlete_id": athlete_id})
    return True


def send(rt: Runtime, athlete_id: int) -> None:
    """Send the removal's job; kept for the sweeper to send when Redis is down."""
    try:
        enqueue(rt.broker, REMOVE_BLOCKS, BACKFILL_QUEUE, athlete_id)
    except Exception as error:
        log.warning("block removal not sent, the sweeper will send it: %s", error,
                    extra={"athlete_id": athlete_id})
        rt.jobs.unsent(REMOVE_BLOCKS, BACKFILL_QUEUE, athlete_id, f"{type(error).__name__}")


def progress(rt: Runtime, athlete_id: int) -> Progress | None:
    """The athlete's removal so far; None when they are not leaving."""
    with rt.db.session() as session:
        row = session.get(Leaving, athlete_id)
        if row is None:
            return None
        counts = {bool(done): int(n) for done, n in session.execute(
            select(LeavingActivity.done, func.count()).where(
                LeavingActivity.athlete_id == athlete_id).group_by(LeavingActivity.done))}
        return Progress(to_read=int(counts.get(False, 0)), read=int(counts.get(True, 0)),
                        removed=row.removed, without_block=row.without_block, gone=row.gone,
                        failed=row.failed, listed=row.listed, back_to=row.back_to)


def step(rt: Runtime, athlete_id: int, batch: int = BATCH) -> bool:
    """Do one batch of the athlete's removal; True when there is more to do.

    Finishing (the last description read, our access refused, or LEAVING_AT_MOST passed)
    deletes the athlete. Raises what the budget or Strava raise to make the job wait
    (QuotaExhausted, StravaRateLimited, TokensUnreadable): what was done is kept.
    """
    with rt.db.session() as session:
        row = session.get(Leaving, athlete_id)
        if row is None:
            return False  # not leaving, or deleted already (a deauthorization)
        back_to, listed, started = row.back_to, row.listed, row.started_at
    if utcnow() - started > LEAVING_AT_MOST:
        log.warning("block removal gave up after %s; deleting the athlete", LEAVING_AT_MOST,
                    extra={"athlete_id": athlete_id})
        _finish(rt, athlete_id, stopped=True)
        return False
    try:
        if not listed and back_to is not None:
            _list(rt, athlete_id, back_to)
        for activity_id in _pending(rt, athlete_id, batch):
            _unwrite(rt, athlete_id, activity_id)
    except AthleteUnavailable as refused:
        log.info("block removal stopped, Strava refuses our access: %s", refused,
                 extra={"athlete_id": athlete_id})
        _finish(rt, athlete_id, stopped=True)
        return False
    except StravaUnavailable as down:
        # Waited out without spending the job's retries, so that no run of failures leaves
        # the athlete undeleted: LEAVING_AT_MOST still ends it.
        raise NotNow(UNAVAILABLE_WAIT_S, f"Strava unavailable: {down}") from None
    if _pending(rt, athlete_id, 1):
        return True
    _finish(rt, athlete_id, stopped=False)
    return False


def give_up_overdue(rt: Runtime) -> int:
    """Delete the athletes whose removal passed LEAVING_AT_MOST, whatever became of its job (a
    message lost with Redis is sent by nobody); the sweeper calls it. Returns how many."""
    with rt.db.read() as session:
        overdue = list(session.scalars(select(Leaving.athlete_id).where(
            Leaving.started_at < utcnow() - LEAVING_AT_MOST)))
    for athlete_id in overdue:
        step(rt, athlete_id)
    return len(overdue)


def left(rt: Runtime, session_hash: str) -> Progress | None:
    """What a finished removal did, for a session of the athlete it deleted; None if none."""
    raw = rt.redis.get(LEFT_KEY + session_hash)
    if raw is None:
        return None
    data = json.loads(raw)
    return Progress(to_read=data["to_read"], read=data["read"], removed=data["removed"],
                    without_block=data["without_block"], gone=data["gone"],
                    failed=data["failed"], listed=True,
                    back_to=None, stopped=data["stopped"], language=data["language"])


def _list(rt: Runtime, athlete_id: int, back_to: datetime) -> None:
    """Add every activity started since ``back_to`` to those to read, but for the cached ones
    without a block of ours (we never wrote into those)."""
    found: list[int] = []
    strava = rt.strava(athlete_id, PRIORITY)
    for page in itertools.count(1):
        batch = strava.list_activities(after=int(back_to.timestamp()), page=page)
        found += [int(summary["id"]) for summary in batch if "id" in summary]
        if len(batch) < MAX_PER_PAGE:
            break
    with rt.db.session() as session:
        row = session.get(Leaving, athlete_id)
        if row is None:
            return
        have = set(session.scalars(select(LeavingActivity.activity_id).where(
            LeavingActivity.athlete_id == athlete_id)))
        unwritten = set(session.scalars(select(Activity.id).where(
            Activity.athlete_id == athlete_id, Activity.block_digest.is_(None))))
        for activity_id in dict.fromkeys(found):
            if activity_id not in have and activity_id not in unwritten:
                session.add(LeavingActivity(athlete_id=athlete_id, activity_id=activity_id,
                                            known=False, done=False))
        row.listed = True


def _pending(rt: Runtime, athlete_id: int, limit: int) -> list[int]:
    """Activities still to read, the known blocks first, newest first."""
    with rt.db.session() as session:
        return list(session.scalars(
            select(LeavingActivity.activity_id).where(LeavingActivity.athlete_id == athlete_id,
                                                      LeavingActivity.done.is_(False))
            .order_by(LeavingActivity.known.desc(), LeavingActivity.activity_id.desc())
            .limit(limit)))


def _unwrite(rt: Runtime, athlete_id: int, activity_id: int) -> None:
    """Read the description; when it holds our block, write it back without it."""
    outcome = _unwritten(rt.strava(athlete_id, PRIORITY), activity_id)
    with rt.db.session() as session:
        row = session.get(Leaving, athlete_id)
        done = session.get(LeavingActivity, (athlete_id, activity_id))
        if row is None or done is None:
            return
        setattr(row, outcome, getattr(row, outcome) + 1)
        done.done = True


def _unwritten(strava: StravaSession, activity_id: int) -> str:
    """What became of one activity's block: removed, without_block, gone or failed."""
    try:
        current = strava.get_activity(activity_id)
    except StravaNotFound:
        return "gone"
    except StravaRejected:
        return "failed"
    description = current.get("description") or ""
    if find_block(description) is None:
        return "without_block"
    try:
        strava.update_description(activity_id, remove(description))
    except (StravaNotFound, StravaRejected):
        return "failed"
    return "removed"


def _finish(rt: Runtime, athlete_id: int, stopped: bool) -> None:
    """Keep what was done for the athlete's sessions to read, then delete the athlete."""
    done = progress(rt, athlete_id)
    with rt.db.session() as session:
        hashes = list(session.scalars(select(WebSession.id_hash).where(
            WebSession.athlete_id == athlete_id)))
        athlete = session.get(Athlete, athlete_id)
        language = athlete.language if athlete is not None else "en"
        session.execute(delete(LeavingActivity).where(LeavingActivity.athlete_id == athlete_id))
    if done is not None:
        said = json.dumps({"to_read": done.to_read, "read": done.read, "removed": done.removed,
                           "without_block": done.without_block, "gone": done.gone,
                           "failed": done.failed,
                           "stopped": stopped, "language": language})
        for session_hash in hashes:
            rt.redis.set(LEFT_KEY + session_hash, said, ex=LEFT_KEPT_S)
    forget_athlete(rt, athlete_id, revoke=True)
    log.info("blocks removed (%s), athlete deleted", done, extra={"athlete_id": athlete_id})
