"""One way for a job to say "not now", and the retries that keep the inbox's leases honest.

:class:`NotNow` is control flow, like dramatiq's ``Retry``: the quota is spent, Strava answered
429, the application is inactive, the activity is not readable yet. The job is sent again after
the delay without spending one of its retries. :class:`Deferrals` takes the place of dramatiq's
``Retries`` middleware: it does that for every actor, retries failures with backoff as
``Retries`` does, and tells ``on_wait`` how long each message will wait before it runs again,
so the inbox moves the event's lease past that wait and the sweeper never starts a second chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.common import compute_backoff
from dramatiq.middleware import Retries
from dramatiq.middleware.retries import DEFAULT_MAX_BACKOFF

from worker.outcomes import Wait

log = logging.getLogger(__name__)

#: Shortest wait of a message sent again: a zero delay would spin on a busy queue.
MIN_WAIT_MS = 1_000

#: Called with a message and the seconds it waits before it runs again.
OnWait = Callable[[MessageProxy, float], None]


class NotNow(dramatiq.Retry, Wait):
    """Not an error: run this job again after ``delay_s`` seconds, without spending a retry
    (the :class:`worker.outcomes.Wait` whose length is known).

    Parameters
    ----------
    delay_s:
        Seconds until the job may run again (when the quota window reopens, say).
    reason:
        What is waited for, for the logs.
    """

    def __init__(self, delay_s: float, reason: str) -> None:
        super().__init__(reason, delay=max(MIN_WAIT_MS, int(delay_s * 1000)))
        self.delay_s = self.delay / 1000 if self.delay is not None else delay_s
        self.reason = reason


class Deferrals(Retries):
    """dramatiq's retries, plus "not now" for free, with every wait reported to ``on_wait``."""

    def __init__(self, on_wait: OnWait, *, max_retries: int, min_backoff: int,
                 max_backoff: int) -> None:
        super().__init__(max_retries=max_retries, min_backoff=min_backoff,
                         max_backoff=max_backoff)
        self.on_wait = on_wait

    def after_process_message(self, broker: dramatiq.Broker, message: MessageProxy, *,
                              result: Any = None,
                              exception: BaseException | None = None) -> None:
        if isinstance(exception, NotNow):
            self.on_wait(message, exception.delay_s)
            log.info("%s%s deferred %.0f s: %s", message.actor_name, tuple(message.args),
                     exception.delay_s, exception.reason)
            broker.enqueue(cast(dramatiq.Message[Any], message), delay=exception.delay)
            return
        super().after_process_message(  # type: ignore[no-untyped-call]
            broker, message, result=result, exception=exception)
        if exception is not None and not message.failed:
            self.on_wait(message, self.longest_backoff_ms(broker, message) / 1000)

    def longest_backoff_ms(self, broker: dramatiq.Broker, message: MessageProxy) -> int:
        """The longest backoff ``Retries`` may just have chosen for ``message`` (it jitters)."""
        actor = broker.get_actor(message.actor_name)
        factor = message.options.get("min_backoff", actor.options.get("min_backoff",
                                                                      self.min_backoff))
        ceiling = min(DEFAULT_MAX_BACKOFF, message.options.get(
            "max_backoff", actor.options.get("max_backoff", self.max_backoff)))
        retries = int(message.options.get("retries", 1)) - 1  # before Retries counted this one
        _, shortest = compute_backoff(retries, factor=factor, jitter=False, max_backoff=ceiling)
        return int(min(ceiling, 2 * shortest))


def install(broker: dramatiq.Broker, deferrals: Deferrals) -> None:
    """Put ``deferrals`` where the broker's own ``Retries`` middleware was."""
    broker.middleware[:] = [deferrals if type(m) is Retries else m for m in broker.middleware]
    if deferrals not in broker.middleware:
        broker.add_middleware(deferrals)
