"""Re-enqueue inbox events that were never finished: the database is the truth, Redis transport.

Several sweepers (one per worker process, on every host) may run at once; each event is claimed
with a conditional update, so only one of them enqueues it.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from worker.models import InboxEvent, utcnow
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue
from worker.runtime import Runtime

log = logging.getLogger(__name__)

#: An event enqueued this long ago and still pending has lost its message (Redis restart or
#: flush, a crash between commit and enqueue). Work deferred to later moves its mark forward.
STALE_AFTER_S = 120
#: How often each sweeper looks.
SWEEP_INTERVAL_S = 30
#: Most events one sweep re-enqueues.
SWEEP_BATCH = 500
#: Finished events are kept this long (for `stridewise status` and investigations), then
#: deleted; dead letters stay until requeued or the athlete is deleted.
KEEP_FINISHED_DAYS = 14


def sweep(rt: Runtime, stale_after_s: float = STALE_AFTER_S) -> int:
    """Re-enqueue stale pending events; returns how many this sweeper claimed."""
    now = utcnow()
    cutoff = now - timedelta(seconds=stale_after_s)
    stale = or_(InboxEvent.enqueued_at.is_(None), InboxEvent.enqueued_at < cutoff)
    with rt.db.session() as session:
        ids = session.scalars(
            select(InboxEvent.id).where(InboxEvent.status == "pending", stale)
            .order_by(InboxEvent.id).limit(SWEEP_BATCH)
        ).all()
    claimed = 0
    for event_id in ids:
        with rt.db.session() as session:
            won = session.execute(
                update(InboxEvent)
                .where(InboxEvent.id == event_id, InboxEvent.status == "pending", stale)
                .values(enqueued_at=now)
            ).rowcount
        if won:
            enqueue(rt.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
            claimed += 1
    if claimed:
        log.info("sweeper re-enqueued %d unfinished events", claimed)
    return claimed


def prune(rt: Runtime, keep_days: float = KEEP_FINISHED_DAYS) -> int:
    """Delete finished (done or skipped) events older than ``keep_days``; returns how many."""
    cutoff = utcnow() - timedelta(days=keep_days)
    with rt.db.session() as session:
        return int(session.execute(
            delete(InboxEvent).where(InboxEvent.status.in_(("done", "skipped")),
                                     InboxEvent.finished_at < cutoff)
        ).rowcount)


class Sweeper(threading.Thread):
    """Runs :func:`sweep` every ``interval_s`` until stopped."""

    def __init__(self, rt: Runtime, interval_s: float = SWEEP_INTERVAL_S,
                 stale_after_s: float = STALE_AFTER_S) -> None:
        super().__init__(name="stridewise-sweeper", daemon=True)
        self.rt = rt
        self.interval_s = interval_s
        self.stale_after_s = stale_after_s
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval_s):
            try:
                sweep(self.rt, self.stale_after_s)
                prune(self.rt)
            except Exception:  # the next sweep tries again; the sweeper itself must live on
                log.exception("sweep failed")

    def stop(self) -> None:
        self.stopped.set()
