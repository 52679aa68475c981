"""Backfill and streams jobs the database must remember, as the inbox remembers events.

A job whose message could not be sent (Redis down when an athlete connects) is kept *unsent*
until the sweeper sends it; a job that ran out of retries is kept *dead*, a dead letter shown
by ``stridewise dlq list`` and ``status`` and sent again by ``dlq requeue``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, func, select

from worker.db import Database
from worker.models import StrandedJob

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
        with self.db.session() as session:
            rows = session.scalars(select(StrandedJob)
                                   .where(StrandedJob.status == JobStatus.DEAD)
                                   .order_by(StrandedJob.id)).all()
            return [_job(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Stranded jobs by status."""
        with self.db.session() as session:
            return {str(status): int(count) for status, count in session.execute(
                select(StrandedJob.status, func.count()).group_by(StrandedJob.status)).all()}

    def forget_athlete(self, athlete_id: int) -> None:
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
