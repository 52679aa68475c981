"""Re-enqueue inbox events that lost their message: the database is the truth, Redis transport.
Each sweep also sends the jobs that could not be sent, tries again the revokes Strava refused
when an athlete was deleted (worker.forget), deletes the leaving athletes whose block removal
ran out of time (worker.leaving: its job may have been lost with Redis), and purges what
Strava's cache horizon says must go (worker.retention).

Several sweepers (one per worker process, on every host) may run at once; the inbox hands each
stale event to one of them only (:meth:`worker.inbox.Inbox.reclaim_stale`).
"""

from __future__ import annotations

import logging
import threading

from worker import leaving
from worker.forget import retry_revokes
from worker.models import utcnow
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue
from worker.retention import prune_sessions, purge
from worker.runtime import Runtime

log = logging.getLogger(__name__)


def sweep(rt: Runtime) -> int:
    """Re-enqueue pending events whose lease ran out, send the jobs that could not be sent and
    try the due revokes again; returns how many events this sweeper took."""
    claimed = rt.inbox.reclaim_stale()
    for event_id in claimed:
        enqueue(rt.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
    if claimed:
        log.info("sweeper re-enqueued %d unfinished events", len(claimed))
    send_unsent_jobs(rt)
    retry_revokes(rt)
    leaving.give_up_overdue(rt)
    return len(claimed)


def send_unsent_jobs(rt: Runtime) -> int:
    """Send the jobs whose first send failed; one that fails again is kept for the next sweep."""
    jobs = rt.jobs.take_unsent()
    for number, job in enumerate(jobs):
        try:
            enqueue(rt.broker, job.actor, job.queue, job.athlete_id)
        except Exception:
            for unsent in jobs[number:]:
                rt.jobs.unsent(unsent.actor, unsent.queue, unsent.athlete_id, unsent.reason)
            raise
    if jobs:
        log.info("sweeper sent %d jobs that could not be sent before", len(jobs))
    return len(jobs)


class Sweeper(threading.Thread):
    """Runs :func:`sweep`, purges the expired cache, prunes finished events and expired
    web sessions every
    ``interval_s`` until stopped."""

    def __init__(self, rt: Runtime, interval_s: float) -> None:
        super().__init__(name="stridewise-sweeper", daemon=True)
        self.rt = rt
        self.interval_s = interval_s
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval_s):
            try:
                purge(self.rt.db, self.rt.settings.cache_horizon)
                sweep(self.rt)
                self.rt.inbox.prune()
                with self.rt.db.session() as session:
                    prune_sessions(session, utcnow())
            except Exception:  # the next sweep tries again; the sweeper itself must live on
                log.exception("sweep failed")

    def stop(self) -> None:
        self.stopped.set()
