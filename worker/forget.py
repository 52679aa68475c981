"""Forgetting: an activity deleted on Strava, and everything about an athlete who left.

Strava's API Policy asks for an activity deleted on Strava to go within 48 hours, and for all of
an athlete's data to go after their deauthorization or their request. The inbox event, the
athlete's command (``stridewise forget``) and their own page all come here.

An athlete who asks to be forgotten also has our access revoked at Strava. Their data goes at
once whatever Strava answers; when Strava cannot be reached (or the quota is spent, or the keys
are wrong) only the two encrypted tokens are kept, in ``pending_revokes``, and the sweeper tries
the revoke again (:func:`retry_revokes`) after growing delays, until Strava revokes it or says
the grant is dead already, or REVOKE_DELAYS_S runs out.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum
from typing import Any, cast

import redis
from sqlalchemy import CursorResult, delete, func, select, update

from worker.budget import QuotaExhausted, across_resets
from worker.inbox import Inbox
from worker.jobs import unqueue
from worker.models import (
    Activity,
    Athlete,
    InboxEvent,
    Leaving,
    LeavingActivity,
    PendingRevoke,
    utcnow,
)
from worker.runtime import Runtime
from worker.strava import StravaError, StravaGrantGone, StravaUnauthorized
from worker.tokens import TokensUnreadable

log = logging.getLogger(__name__)

#: Waits before each retry of a refused revoke: the first a minute after the deletion, the last
#: about 42 hours after it. A retry that fails past the last one gives the revoke up.
REVOKE_DELAYS_S = (60, 300, 1_800, 3_600, 4 * 3_600, 12 * 3_600, 24 * 3_600)
#: A pending revoke is deleted this long after the deletion whatever its tries (the sweepers
#: may have been stopped): the tokens are kept for the revoke, not beyond its need.
REVOKE_KEPT_AT_MOST = timedelta(hours=48)
#: Revokes one sweep tries at most; each costs one or three requests.
REVOKES_PER_SWEEP = 10
#: How long a sweeper holds a revoke it is trying, so that no other sweeper tries it too.
REVOKE_CLAIM_S = 120
#: Priority of the retries: they spend only what live work leaves (worker.budget.PRIORITIES).
RETRY_PRIORITY = "backfill"


class Revoked(StrEnum):
    """How a revoke ended."""

    REVOKED = "revoked"  #: Strava answered 2xx
    DEAD = "already dead"  #: Strava refused the tokens (401, and the refresh token too)


def forget_activity(rt: Runtime, athlete_id: int, activity_id: int) -> None:
    """Delete the owner's activity and its events' content (Strava's policy: within 48 hours)."""
    with rt.db.session() as session:
        session.execute(delete(Activity).where(Activity.id == activity_id,
                                                Activity.athlete_id == athlete_id))
        Inbox.forget_activity(session, activity_id)


def forget_athlete(rt: Runtime, athlete_id: int, revoke: bool) -> None:
    """Delete every row about the athlete, and every message queued in Redis about them; with
    ``revoke``, revoke their tokens at Strava first, or keep them to try again (see above)."""
    if revoke:
        _revoke_or_keep(rt, athlete_id)
    with rt.db.session() as session:
        event_ids = set(session.scalars(select(InboxEvent.id)
                                        .where(InboxEvent.owner_id == athlete_id)))
        session.execute(delete(Activity).where(Activity.athlete_id == athlete_id))
        session.execute(delete(LeavingActivity).where(LeavingActivity.athlete_id == athlete_id))
        session.execute(delete(Leaving).where(Leaving.athlete_id == athlete_id))
        Inbox.forget_owner(session, athlete_id)
        session.execute(delete(Athlete).where(Athlete.id == athlete_id))
    rt.jobs.forget_athlete(athlete_id)
    try:
        unqueue(rt.redis, athlete_id, event_ids)
        rt.budget.forget_athlete(athlete_id)
    except redis.RedisError as error:  # what is left there holds ids only, and finds nothing
        log.warning("messages about the deleted athlete not removed from Redis: %s", error,
                    extra={"athlete_id": athlete_id})
    log.info("athlete data deleted", extra={"athlete_id": athlete_id})


def _revoke_or_keep(rt: Runtime, athlete_id: int) -> None:
    with rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        if athlete is None or athlete.status != "active":
            return  # unknown, or Strava refused their refresh already: nothing to revoke
        tokens = (athlete.access_token, athlete.refresh_token)
    try:
        # The athlete (or an operator) waits on this: a quota window's last second is waited
        # out, not turned into a retry a minute later.
        outcome = across_resets(lambda: revoke_tokens(rt, *tokens, priority="live"))
    except (StravaError, QuotaExhausted, TokensUnreadable) as error:
        # The athlete asked for their data to go: it goes now, and the revoke is tried again.
        with rt.db.session() as session:
            session.add(PendingRevoke(access_token=tokens[0], refresh_token=tokens[1], tries=0,
                                      next_try_at=utcnow() + timedelta(
                                          seconds=REVOKE_DELAYS_S[0])))
        log.warning("revoke at Strava failed, deleting locally and trying again later: %s",
                    error, extra={"athlete_id": athlete_id})
        return
    log.info("access at Strava: %s", outcome, extra={"athlete_id": athlete_id})


def revoke_tokens(rt: Runtime, access_ciphertext: str, refresh_ciphertext: str,
                  priority: str) -> Revoked:
    """Revoke a grant at Strava with its stored tokens, each request reserved at ``priority``.

    The access token may have expired: on a 401 the refresh token gets a fresh one, which is
    revoked in turn; Strava refusing the refresh token too means the grant is dead already.

    Raises
    ------
    StravaError, QuotaExhausted, TokensUnreadable
        Not revoked, and worth trying again later.
    """
    try:
        _deauthorize(rt, rt.cipher.decrypt(access_ciphertext), priority)
        return Revoked.REVOKED
    except StravaUnauthorized:
        pass
    _reserve(rt, priority)
    try:
        grant = rt.gateway.refresh(rt.cipher.decrypt(refresh_ciphertext))
    except (StravaGrantGone, StravaUnauthorized):
        return Revoked.DEAD
    try:
        _deauthorize(rt, grant.access_token, priority)
    except StravaUnauthorized:
        return Revoked.DEAD
    return Revoked.REVOKED


def _deauthorize(rt: Runtime, access_token: str, priority: str) -> None:
    _reserve(rt, priority)
    rt.gateway.deauthorize(access_token)


def _reserve(rt: Runtime, priority: str) -> None:
    """One request in the budget, spent at once: Strava counts OAuth requests too."""
    rt.budget.acquire(priority)


def retry_revokes(rt: Runtime, limit: int = REVOKES_PER_SWEEP) -> int:
    """Try the pending revokes that are due (at most ``limit``); returns how many were tried.

    A revoke that fails again waits for the next delay of REVOKE_DELAYS_S, or is given up past
    the last; one refused by the budget waits for the window to reopen, without counting a try.
    """
    _expire_revokes(rt)
    tried = 0
    for revoke_id in _due_revokes(rt, limit):
        with rt.db.session() as session:
            row = session.get(PendingRevoke, revoke_id)
            if row is None:
                continue
            tokens, tries = (row.access_token, row.refresh_token), row.tries
        tried += 1
        try:
            outcome = revoke_tokens(rt, *tokens, priority=RETRY_PRIORITY)
        except QuotaExhausted as short:
            _reschedule(rt, revoke_id, tries, short.retry_at - utcnow().timestamp())
            break  # the budget refuses the others too
        except (StravaError, TokensUnreadable) as error:
            _failed(rt, revoke_id, tries + 1, error)
            continue
        _drop(rt, revoke_id)
        log.info("pending revoke %d: %s after %d failed tries", revoke_id, outcome, tries)
    return tried


def _due_revokes(rt: Runtime, limit: int) -> list[int]:
    """Ids of due revokes this sweeper now holds for REVOKE_CLAIM_S (each one sweeper only)."""
    now = utcnow()
    with rt.db.session() as session:
        due = session.scalars(select(PendingRevoke.id).where(PendingRevoke.next_try_at <= now)
                              .order_by(PendingRevoke.next_try_at).limit(limit)).all()
    held = []
    for revoke_id in due:
        with rt.db.session() as session:
            result = session.execute(
                update(PendingRevoke)
                .where(PendingRevoke.id == revoke_id, PendingRevoke.next_try_at <= now)
                .values(next_try_at=now + timedelta(seconds=REVOKE_CLAIM_S)))
            if cast(CursorResult[Any], result).rowcount:
                held.append(revoke_id)
    return held


def _failed(rt: Runtime, revoke_id: int, tries: int, error: Exception) -> None:
    if tries >= len(REVOKE_DELAYS_S):
        _drop(rt, revoke_id)
        log.warning("pending revoke %d given up after %d failed tries (%s); the athlete can "
                    "still remove Stridewise in their Strava settings", revoke_id, tries, error)
        return
    _reschedule(rt, revoke_id, tries, REVOKE_DELAYS_S[tries])
    log.info("pending revoke %d failed again (%s); next try in %d s", revoke_id, error,
             REVOKE_DELAYS_S[tries])


def _reschedule(rt: Runtime, revoke_id: int, tries: int, wait_s: float) -> None:
    with rt.db.session() as session:
        session.execute(update(PendingRevoke).where(PendingRevoke.id == revoke_id).values(
            tries=tries, next_try_at=utcnow() + timedelta(seconds=max(1.0, wait_s))))


def _drop(rt: Runtime, revoke_id: int) -> None:
    with rt.db.session() as session:
        session.execute(delete(PendingRevoke).where(PendingRevoke.id == revoke_id))


def _expire_revokes(rt: Runtime) -> None:
    """Delete the pending revokes older than REVOKE_KEPT_AT_MOST."""
    cutoff = utcnow() - REVOKE_KEPT_AT_MOST
    with rt.db.session() as session:
        result = session.execute(delete(PendingRevoke).where(PendingRevoke.created_at < cutoff))
        expired = int(cast(CursorResult[Any], result).rowcount)
    if expired:
        log.warning("%d pending revokes given up: kept %s without an answer from Strava",
                    expired, REVOKE_KEPT_AT_MOST)


def pending_revokes(rt: Runtime) -> int:
    """How many revokes wait to be tried again (for ``stridewise status``)."""
    with rt.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(PendingRevoke)) or 0)
