"""A running attempt keeps its inbox event's lease, so the sweeper sends an event again only
when its message is lost, never while an attempt slower than the lease is still alive.

The claim gives an attempt the lease (STRIDEWISE_STALE_AFTER); a loaded machine or a slow
Strava can outlast it, and each second chain the sweeper would start spends quota. While a
worker thread processes an event's message, one thread per process extends the lease of every
event in hand, a few times a lease, so a late beat or two still leaves it owned. A killed
worker beats no more: its events' leases run out and the sweeper takes them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy

from worker.inbox import Inbox

log = logging.getLogger(__name__)

#: Beats per lease: an event's lease outlives two beats that come late.
BEATS_PER_LEASE = 3


class Heartbeat(dramatiq.Middleware):
    """Extends the inbox lease of the events whose messages this process is working on.

    Add it after the retries (after-hooks run in reverse order): an attempt's beats stop
    before the retries move its lease past their backoff. A beat never shortens a lease
    anyway (:meth:`worker.inbox.Inbox.extend`).

    Parameters
    ----------
    inbox:
        The inbox whose leases the attempts hold.
    actor_name:
        The actor whose messages carry an inbox event's id as their first argument.
    """

    def __init__(self, inbox: Inbox, actor_name: str) -> None:
        self.inbox = inbox
        self.actor_name = actor_name
        self.interval_s = inbox.lease_s / BEATS_PER_LEASE
        self.held: dict[str, int] = {}  # message id -> event id
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self.stopped.clear()
        threading.Thread(target=self.beat, name="stridewise-lease-heartbeat",
                         daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        self.stopped.set()

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if message.actor_name == self.actor_name:
            with self.lock:
                self.held[message.message_id] = int(message.args[0])

    def after_process_message(self, broker: dramatiq.Broker, message: MessageProxy, *,
                              result: Any = None,
                              exception: BaseException | None = None) -> None:
        with self.lock:
            self.held.pop(message.message_id, None)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        with self.lock:
            self.held.pop(message.message_id, None)

    def beat(self) -> None:
        while not self.stopped.wait(self.interval_s):
            with self.lock:
                held = set(self.held.values())
            if not held:
                continue
            try:
                self.inbox.extend(held)
            except Exception:  # the next beat tries again; the heartbeat itself must live on
                log.exception("extending the leases of %d events failed", len(held))
