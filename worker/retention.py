"""Strava's cache: what was read from Strava, or derived from it, is deleted at the horizon.

Every such row carries ``fetched_at``, when it was read from Strava (see worker.models). The
sweeper purges every few seconds, so nothing outlives STRAVA_CACHE_DAYS by more than one sweep
interval. The athlete row stays (tokens, settings, dates of our own); its record of a complete
history goes with the rows it vouched for, and the digest of a block written into a description
with the read it was computed from.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from worker.db import Database
from worker.models import Activity, Athlete, InboxEvent, StrandedJob, WebSession, utcnow

log = logging.getLogger(__name__)

#: The units of an athlete whose Strava preference has expired and who chose none: the
#: default of a new athlete, until the next history read brings Strava's back.
STRAVA_UNITS_UNREAD = "metric"
#: The tables whose rows hold Strava data or what is derived from it.
CACHED = (Activity, InboxEvent, StrandedJob)


def purge(db: Database, horizon: timedelta, now: datetime | None = None) -> dict[str, int]:
    """Delete every cached row fetched before ``now - horizon``; returns rows deleted by table."""
    cutoff = (now or utcnow()) - horizon
    deleted: dict[str, int] = {}
    with db.session() as session:
        for model in CACHED:
            result = session.execute(delete(model).where(model.fetched_at < cutoff))
            deleted[model.__tablename__] = int(cast(CursorResult[Any], result).rowcount)
        # The digest of a block goes with the read the block came from, not with later reads.
        session.execute(update(Activity).where(Activity.block_written_at < cutoff)
                        .values(block_digest=None, block_written_at=None))
        # Strava's measurement preference goes with the history it was read with; the units
        # an athlete chose in settings are theirs, not Strava's.
        session.execute(update(Athlete).where(Athlete.history_read_at < cutoff,
                                              Athlete.units_chosen.is_(False))
                        .values(units=STRAVA_UNITS_UNREAD))
        session.execute(update(Athlete).where(Athlete.history_read_at < cutoff)
                        .values(history_since=None, history_read_at=None))
    if any(deleted.values()):
        log.info("cache purge deleted %s", deleted)
    return deleted


def prune_sessions(session: Session, now: datetime) -> int:
    """Delete every athlete's web session expired at ``now`` (worker.web.session deletes one
    when it is presented; the sweeper deletes the rest), in the caller's transaction; returns
    how many."""
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    return int(cast(CursorResult[Any], result).rowcount)


def oldest_fetch(session: Session) -> datetime | None:
    """When the oldest Strava data still held was read; None when nothing is held."""
    oldest = [session.scalar(select(func.min(model.fetched_at))) for model in CACHED]
    held = [moment for moment in oldest if moment is not None]
    if not held:
        return None
    return min(_utc(moment) for moment in held)


def _utc(moment: datetime) -> datetime:
    # func.min comes back without the column's type on SQLite: a naive UTC datetime or text.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
