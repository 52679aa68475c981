"""The jobs (backfill, streams, block removal) the database must remember, as the inbox
remembers events.

A job whose message could not be sent (Redis down when an athlete connects) is kept *unsent*
until the sweeper sends it; a job that ran out of retries is kept *dead*, a dead letter shown
by ``stridewise dlq list`` and ``status`` and sent again by ``dlq requeue``. When an athlete is
deleted, their stranded jobs go, and so do the messages about them still waiting in Redis
(:func:`unqueue`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

import dramatiq
import redis
from dramatiq.errors import DecodeError
from sqlalchemy import delete, func, select

from worker.db import Database
from worker.models import StrandedJob
from worker.queue import (
    BACKFILL,
    BACKFILL_QUEUE,
    BACKFILL_STREAMS,
    HANDLE_EVENT,
    LIVE_QUEUE,
    NAMESPACE,
    REMOVE_BLOCKS,
)

#: The jobs of one athlete, whose one argument is the athlete's id: what :func:`unqueue`
#: removes from Redis when the athlete is deleted.
ATHLETE_JOBS = frozenset({BACKFILL, BACKFILL_STREAMS, REMOVE_BLOCKS})

#: How ``dlq`` names a job's dead letter, to tell it from an event's: ``job-7``.
JOB_PREFIX = "job-"


class JobStatus(StrEnum):
    UNSENT = "unsent"  #: its message could not be sent; the sweeper sends it
    DEAD = "dead"  #: failed past its retries: a dead letter


@dataclass(frozen=True)
class Job:
    """A job to send again: which actor, on which queue, for which athlete."""

    id: int
    actor: str
    queue: str
    athlete_id: int
    reason: str


class Jobs:
    """The stranded jobs of ``db``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def unsent(self, actor: str, queue: str, athlete_id: int, reason: str) -> None:
        """Remember a job whose message could not be sent."""
        self._add(actor, queue, athlete_id, JobStatus.UNSENT, reason)

    def bury(self, actor: str, queue: str, athlete_id: int, reason: str) -> None:
        """Remember a job that failed past its retries."""
        self._add(actor, queue, athlete_id, JobStatus.DEAD, reason)

    def take_unsent(self) -> list[Job]:
        """The unsent jobs, removed: the caller sends them (and records a failure again)."""
        return self._take(JobStatus.UNSENT, ())

    def requeue(self, ids: Iterable[int] = ()) -> list[Job]:
        """The dead letters (all, or those named), removed: the caller sends them again."""
        return self._take(JobStatus.DEAD, ids)

    def dead_letters(self) -> list[Job]:
        with self.db.read() as session:
            rows = session.scalars(select(StrandedJob)
                                   .where(StrandedJob.status == JobStatus.DEAD)
                                   .order_by(StrandedJob.id)).all()
            return [_job(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Stranded jobs by status."""
        with self.db.read() as session:
            return {str(status): int(count) for status, count in session.execute(
                select(StrandedJob.status, func.count()).group_by(StrandedJob.status)).all()}

    def forget_athlete(self, athlete_id: int) -> None:
        """Delete the athlete's stranded jobs, unsent and dead."""
        with self.db.session() as session:
            session.execute(delete(StrandedJob).where(StrandedJob.athlete_id == athlete_id))

    def _add(self, actor: str, queue: str, athlete_id: int, status: JobStatus,
             reason: str) -> None:
        with self.db.session() as session:
            session.add(StrandedJob(actor=actor, queue=queue, athlete_id=athlete_id,
                                    status=status, reason=reason))

    def _take(self, status: JobStatus, ids: Iterable[int]) -> list[Job]:
        wanted = list(ids)
        query = select(StrandedJob).where(StrandedJob.status == status)
        if wanted:
            query = query.where(StrandedJob.id.in_(wanted))
        with self.db.session() as session:
            rows = session.scalars(query.order_by(StrandedJob.id)
                                   .with_for_update(skip_locked=True)).all()
            taken = [_job(row) for row in rows]
            if taken:
                session.execute(delete(StrandedJob)
                                .where(StrandedJob.id.in_([job.id for job in taken])))
            return taken


def _job(row: StrandedJob) -> Job:
    return Job(row.id, row.actor, row.queue, row.athlete_id, row.reason)


def unqueue(client: redis.Redis, athlete_id: int, event_ids: Collection[int]) -> int:
    """Remove from Redis the messages about a deleted athlete: their jobs (:data:`ATHLETE_JOBS`:
    backfill, streams and block removal) and the messages of their events (``event_ids``),
    waiting, delayed or dead (dramatiq keeps its own dead letters a week); returns how many.

    A message a worker has taken already runs, and finds nothing: its athlete or event is gone.
    """
    removed = 0
    for queue in (LIVE_QUEUE, BACKFILL_QUEUE):
        base = f"{NAMESPACE}:{queue}"
        # dramatiq's Redis layout: a list of ids and a hash of messages per queue and per delay
        # queue, and a sorted set of ids with a hash of messages for the dead.
        for ids, listed in ((base, True), (f"{base}.DQ", True), (f"{base}.XQ", False)):
            messages = f"{ids}.msgs"
            doomed = [message_id for message_id, data in client.hscan_iter(messages)
                      if _about(data, athlete_id, event_ids)]
            if not doomed:
                continue
            with client.pipeline(transaction=True) as pipe:
                for message_id in doomed:
                    if listed:
                        pipe.lrem(ids, 0, message_id)
                    else:
                        pipe.zrem(ids, message_id)
                pipe.hdel(messages, *doomed)
                pipe.execute()
            removed += len(doomed)
    return removed


def _about(data: bytes, athlete_id: int, event_ids: Collection[int]) -> bool:
    """Whether an encoded message is a job for the athlete or one of their events."""
    try:
        message = dramatiq.Message.decode(data)
    except DecodeError:
        return False
    subject = message.args[0] if message.args else None
    if message.actor_name in ATHLETE_JOBS:
        return bool(subject == athlete_id)
    return message.actor_name == HANDLE_EVENT and subject in event_ids
