"""The life of a webhook event in the inbox: the one module that changes inbox rows.

An event is *recorded* when the web process commits it (deduplicated, for known athletes
only), *claimed* by the worker that handles it, then *finished* (done or skipped), *deferred*
("not now": its lease moves past the delay) or *buried* (a dead letter, with its reason). An
operator *requeues* dead letters.

The lease says until when the event's current message owns it. A message that is waiting for
its delay, for a retry's backoff or for a worker has moved the lease past that wait, and a
running attempt *extends* it while it lives (worker.lease), so an event still pending after its
lease has lost its message (Redis restart or flush, a crash
between commit and enqueue): the sweeper *reclaims* it and sends one more. Every statement
about inbox rows, for SQLite and PostgreSQL alike, is here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    Connection,
    CursorResult,
    Result,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from worker.db import Database
from worker.models import Athlete, InboxEvent, UTCDateTime, utcnow

log = logging.getLogger(__name__)

#: Most events one reclaim takes.
RECLAIM_BATCH = 500
#: Finished events are kept this long (for `stridewise status` and investigations), then
#: deleted; dead letters stay until requeued or the athlete is deleted.
KEEP_FINISHED_DAYS = 14


class EventStatus(StrEnum):
    """Where an inbox event is in its life."""

    PENDING = "pending"  #: recorded, not handled yet (waiting, deferred, or being retried)
    DONE = "done"  #: handled
    SKIPPED = "skipped"  #: nothing to do (athlete gone, activity not found, ...)
    DEAD = "dead"  #: gave up after its retries: a dead letter


class Recorded(StrEnum):
    """What recording did with one event of a webhook POST."""

    ACCEPTED = "accepted"  #: committed; a message nudges the workers
    DUPLICATE = "duplicate"  #: Strava's retry of an event we have
    UNKNOWN_ATHLETE = "unknown_athlete"  #: nobody we know: dropped


@dataclass(frozen=True)
class Claim:
    """A pending event, claimed by the worker that handles it now."""

    event_id: int
    object_type: str
    aspect_type: str
    object_id: int
    owner_id: int
    updates: dict[str, Any]
    received_at: datetime
    event_time: int  #: when Strava says it happened (epoch seconds)


def dedup_key(event: Mapping[str, Any]) -> str:
    """One key for an event and all of Strava's retries and duplicates of it."""
    canonical = json.dumps(
        [event["object_type"], event["object_id"], event["aspect_type"], event["owner_id"],
         event["event_time"], event.get("updates") or {}],
        sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Inbox:
    """The verbs of an event's life.

    Parameters
    ----------
    db:
        The database holding ``inbox_events``.
    lease_s:
        How long a message owns a due event before the sweeper may send another.
    """

    def __init__(self, db: Database, lease_s: float) -> None:
        self.db = db
        self.lease_s = lease_s

    def lease_until(self, wait_s: float = 0.0) -> datetime:
        """The lease of a message that is due in ``wait_s`` seconds."""
        return utcnow() + timedelta(seconds=wait_s + self.lease_s)

    # -- web ------------------------------------------------------------------------------------

    def record(self, events: Sequence[Mapping[str, Any]]) -> tuple[list[Recorded], list[int]]:
        """Commit the events of known athletes that are new, in one transaction.

        Returns each event's outcome, and the ids of the rows inserted (to be enqueued).
        """
        keys = [dedup_key(e) for e in events]
        rows: dict[str, dict[str, Any]] = {}
        for event, key in zip(events, keys, strict=True):
            rows.setdefault(key, _row(event, key))
        with self.db.engine.connect() as connection:
            inserted = _insert_for_known_athletes(
                connection, list(rows.values()), utcnow(), self.lease_until())
            # Only what was not inserted needs telling apart: a retry, or nobody we know.
            known = {rows[key]["owner_id"] for key in inserted}
            unsure = {e["owner_id"] for e, k in zip(events, keys, strict=True)
                      if k not in inserted} - known
            if unsure:
                known |= set(connection.scalars(select(Athlete.id)
                                                .where(Athlete.id.in_(unsure))))
        event_ids = list(inserted.values())
        outcomes = []
        for event, key in zip(events, keys, strict=True):
            if key in inserted:
                outcomes.append(Recorded.ACCEPTED)
                del inserted[key]  # a second copy in the same batch is a duplicate
            elif event["owner_id"] in known:
                outcomes.append(Recorded.DUPLICATE)
            else:
                log.debug("event for unknown athlete dropped",
                         extra={"athlete_id": event["owner_id"]})
                outcomes.append(Recorded.UNKNOWN_ATHLETE)
        return outcomes, event_ids

    # -- worker ---------------------------------------------------------------------------------

    def claim(self, event_id: int) -> Claim | str:
        """Count an attempt at a pending event and take its lease: one statement, in one
        transaction of its own.

        Returns the claim, or why there is nothing to handle.
        """
        with self.db.session() as session:
            row = session.execute(
                update(InboxEvent)
                .where(InboxEvent.id == event_id, InboxEvent.status == EventStatus.PENDING)
                .values(attempts=InboxEvent.attempts + 1, lease_until=self.lease_until())
                .returning(InboxEvent.id, InboxEvent.object_type, InboxEvent.aspect_type,
                           InboxEvent.object_id, InboxEvent.owner_id, InboxEvent.updates,
                           InboxEvent.received_at, InboxEvent.event_time)
                .execution_options(synchronize_session=False)
            ).one_or_none()
            if row is None:
                status = session.scalar(select(InboxEvent.status)
                                        .where(InboxEvent.id == event_id))
                if status is None:
                    return "event no longer exists (athlete deleted?)"
                return f"event already {status}"
            return Claim(row.id, row.object_type, row.aspect_type, row.object_id, row.owner_id,
                         json.loads(row.updates or "{}"), row.received_at, row.event_time)

    def finish(self, event_id: int, status: EventStatus, detail: str) -> None:
        """Done or skipped; the detail of a skip is kept as its reason."""
        with self.db.session() as session:
            self.finish_in(session, event_id, status, detail)

    @staticmethod
    def finish_in(session: Session, event_id: int, status: EventStatus, detail: str) -> None:
        """As :meth:`finish`, in the caller's transaction: an event's one write finishes it
        with what it learnt."""
        session.execute(update(InboxEvent).where(InboxEvent.id == event_id)
                        .values(status=status, finished_at=utcnow(),
                                last_error=None if status == EventStatus.DONE else detail)
                        .execution_options(synchronize_session=False))

    def defer(self, event_id: int, wait_s: float) -> None:
        """Its next message comes in ``wait_s`` seconds: keep the sweeper away until then."""
        with self.db.session() as session:
            session.execute(update(InboxEvent)
                            .where(InboxEvent.id == event_id,
                                   InboxEvent.status == EventStatus.PENDING)
                            .values(lease_until=self.lease_until(wait_s)))

    def extend(self, event_ids: Collection[int]) -> None:
        """Attempts at these events are still running: each pending one's lease lasts a lease
        from now, unless it already lasts longer (a retry moved it past its backoff)."""
        until = self.lease_until()
        with self.db.session() as session:
            session.execute(update(InboxEvent)
                            .where(InboxEvent.id.in_(list(event_ids)),
                                   InboxEvent.status == EventStatus.PENDING,
                                   or_(InboxEvent.lease_until.is_(None),
                                       InboxEvent.lease_until < until))
                            .values(lease_until=until))

    def bury(self, event_id: int, reason: str) -> None:
        """A pending event that ran out of retries becomes a dead letter with its reason."""
        with self.db.session() as session:
            session.execute(update(InboxEvent)
                            .where(InboxEvent.id == event_id,
                                   InboxEvent.status == EventStatus.PENDING)
                            .values(status=EventStatus.DEAD, last_error=reason,
                                    finished_at=utcnow()))

    def missed(self, event_id: int) -> int:
        """Count a read of the event's activity that found nothing; returns how many so far."""
        with self.db.session() as session:
            event = session.get(InboxEvent, event_id)
            if event is None:
                return 0
            event.misses += 1
            return event.misses

    def changed_since(self, activity_id: int, since: datetime) -> bool:
        """Whether an update event for the activity was received at or after ``since``."""
        with self.db.read() as session:
            return self.updated_since(session, activity_id, since)

    @staticmethod
    def updated_since(session: Session, activity_id: int, since: datetime) -> bool:
        """As :meth:`changed_since`, in the caller's transaction."""
        return session.scalar(
            select(InboxEvent.id).where(
                InboxEvent.object_type == "activity", InboxEvent.aspect_type == "update",
                InboxEvent.object_id == activity_id, InboxEvent.received_at >= since,
            ).limit(1)
        ) is not None

    def delete_seen(self, activity_id: int) -> bool:
        """Whether this activity's delete event was handled already (Strava sent it first)."""
        with self.db.read() as session:
            return session.scalar(
                select(InboxEvent.id).where(
                    InboxEvent.object_type == "activity", InboxEvent.aspect_type == "delete",
                    InboxEvent.object_id == activity_id, InboxEvent.status == EventStatus.DONE,
                ).limit(1)
            ) is not None

    @staticmethod
    def forget_owner(session: Session, athlete_id: int) -> None:
        """Delete the athlete's events, in the caller's transaction."""
        session.execute(delete(InboxEvent).where(InboxEvent.owner_id == athlete_id))

    @staticmethod
    def forget_activity(session: Session, activity_id: int) -> None:
        """Delete what the activity's events hold (a title, say), in the caller's transaction;
        its delete event stays, so a create that comes late knows it was deleted."""
        session.execute(delete(InboxEvent).where(
            InboxEvent.object_type == "activity", InboxEvent.object_id == activity_id,
            InboxEvent.aspect_type != "delete"))

    # -- sweeper and operators ------------------------------------------------------------------

    def reclaim_stale(self, limit: int = RECLAIM_BATCH) -> list[int]:
        """Take the lease of pending events whose lease ran out; returns their ids.

        Several sweepers may run at once: each event is taken with a conditional update, so
        only one of them gets it.
        """
        now = utcnow()
        stale = or_(InboxEvent.lease_until.is_(None), InboxEvent.lease_until < now)
        with self.db.read() as session:
            ids = session.scalars(
                select(InboxEvent.id).where(InboxEvent.status == EventStatus.PENDING, stale)
                .order_by(InboxEvent.id).limit(limit)
            ).all()
        won = []
        for event_id in ids:
            with self.db.session() as session:
                if _changed(session.execute(
                    update(InboxEvent)
                    .where(InboxEvent.id == event_id, InboxEvent.status == EventStatus.PENDING,
                           stale)
                    .values(lease_until=self.lease_until())
                )):
                    won.append(event_id)
        return won

    def requeue(self, ids: Iterable[int] = ()) -> list[int]:
        """Dead letters (all, or those named) become pending again; returns their ids."""
        query = select(InboxEvent).where(InboxEvent.status == EventStatus.DEAD)
        wanted = list(ids)
        if wanted:
            query = query.where(InboxEvent.id.in_(wanted))
        with self.db.session() as session:
            rows = session.scalars(query).all()
            for row in rows:
                row.status, row.last_error, row.finished_at = EventStatus.PENDING, None, None
                row.attempts, row.lease_until = 0, self.lease_until()
            return [row.id for row in rows]

    def prune(self, keep_days: float = KEEP_FINISHED_DAYS) -> int:
        """Delete finished (done or skipped) events older than ``keep_days``; returns how many."""
        cutoff = utcnow() - timedelta(days=keep_days)
        with self.db.session() as session:
            return _changed(session.execute(
                delete(InboxEvent).where(
                    InboxEvent.status.in_((EventStatus.DONE, EventStatus.SKIPPED)),
                    InboxEvent.finished_at < cutoff)
            ))

    def counts(self) -> dict[str, int]:
        """Events by status."""
        with self.db.read() as session:
            return {str(status): int(count) for status, count in session.execute(
                select(InboxEvent.status, func.count()).group_by(InboxEvent.status)).all()}

    def dead_letters(self) -> list[InboxEvent]:
        with self.db.read() as session:
            return list(session.scalars(select(InboxEvent)
                                        .where(InboxEvent.status == EventStatus.DEAD)
                                        .order_by(InboxEvent.id)).all())

    def recent_failures(self, limit: int) -> list[tuple[int, str, str | None]]:
        """Id, status and reason of the latest dead or skipped events."""
        with self.db.read() as session:
            return [(int(i), str(s), e) for i, s, e in session.execute(
                select(InboxEvent.id, InboxEvent.status, InboxEvent.last_error)
                .where(InboxEvent.status.in_((EventStatus.DEAD, EventStatus.SKIPPED)))
                .order_by(InboxEvent.finished_at.desc()).limit(limit)).all()]


def _changed(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed."""
    return int(cast(CursorResult[Any], result).rowcount)


def _insert_for_known_athletes(connection: Connection, rows: list[dict[str, Any]],
                               now: datetime, lease_until: datetime) -> dict[str, int]:
    """Insert the rows of known athletes whose dedup_key is new, received ``now``, and commit.

    Returns dedup_key -> id of the rows inserted. On PostgreSQL this is one prepared statement
    in one round trip, whatever the batch size (no BEGIN, no COMMIT); SQLite, in process, checks
    the athletes first.
    """
    fresh = _fresh(now, lease_until)
    if connection.dialect.name == "postgresql":
        columns = {name: [r[name] for r in rows] for name in _EVENT_COLUMNS}
        result = connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            _POSTGRES_INSERT, {**columns, **fresh})
        return {key: event_id for key, event_id in result}
    with connection.begin():
        owners = {r["owner_id"] for r in rows}
        known = set(connection.scalars(select(Athlete.id).where(Athlete.id.in_(owners))))
        rows = [r for r in rows if r["owner_id"] in known]
        if not rows:
            return {}
        statement = (sqlite.insert(InboxEvent).values([{**r, **fresh} for r in rows])
                     .on_conflict_do_nothing(index_elements=["dedup_key"])
                     .returning(InboxEvent.dedup_key, InboxEvent.id))
        return {key: event_id for key, event_id in connection.execute(statement)}


#: The columns that differ from event to event (on PostgreSQL, sent as one array each).
_EVENT_COLUMNS = ("dedup_key", "object_type", "aspect_type", "object_id", "owner_id",
                  "event_time", "updates")
_POSTGRES_INSERT = text("""
    INSERT INTO inbox_events (dedup_key, object_type, aspect_type, object_id, owner_id,
                              event_time, updates, received_at, fetched_at, lease_until, status,
                              attempts)
    SELECT incoming.*, :received_at, :fetched_at, :lease_until, :status, :attempts
    FROM unnest(CAST(:dedup_key AS text[]), CAST(:object_type AS text[]),
                CAST(:aspect_type AS text[]), CAST(:object_id AS bigint[]),
                CAST(:owner_id AS bigint[]), CAST(:event_time AS bigint[]),
                CAST(:updates AS text[]))
         AS incoming (dedup_key, object_type, aspect_type, object_id, owner_id, event_time,
                      updates)
    WHERE EXISTS (SELECT 1 FROM athletes WHERE athletes.id = incoming.owner_id)
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING dedup_key, id
""").bindparams(bindparam("received_at", type_=UTCDateTime()),
               bindparam("fetched_at", type_=UTCDateTime()),
               bindparam("lease_until", type_=UTCDateTime()))


def _row(event: Mapping[str, Any], key: str) -> dict[str, Any]:
    """The event's own columns (see _EVENT_COLUMNS)."""
    return {
        "dedup_key": key,
        "object_type": event["object_type"],
        "aspect_type": event["aspect_type"],
        "object_id": event["object_id"],
        "owner_id": event["owner_id"],
        "event_time": event["event_time"],
        "updates": json.dumps(event["updates"], sort_keys=True),
    }


def _fresh(now: datetime, lease_until: datetime) -> dict[str, Any]:
    """The columns every new inbox row starts with."""
    return {"received_at": now, "fetched_at": now, "lease_until": lease_until,
            "status": EventStatus.PENDING.value,
            "attempts": 0}
