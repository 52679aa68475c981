"""The dramatiq actors of one worker process, built by a factory (:func:`build`) on a runtime;
importing this module builds nothing. ``stridewise worker`` runs ``dramatiq
worker.tasks:setup``: each process builds its actors from the environment.

Actors stay thin: they call :mod:`worker.sync` and :mod:`worker.backfill`. What every job shares
is said once, here and in the middleware, by the branch of worker.outcomes that a failure is on:
a :class:`~worker.outcomes.Wait` (quota spent, Strava's 429, application inactive, activity not
readable yet, tokens that TOKEN_KEYS cannot decrypt) becomes :class:`worker.notnow.NotNow` and
costs no retry; a :class:`~worker.outcomes.Skip` (an athlete who is gone or must reconnect)
skips the job; a :class:`~worker.outcomes.Hopeless` is a dead letter at once; anything else is
retried with backoff and, past the retry budget, becomes a dead letter with its reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy

from worker import leaving, sync
from worker.backfill import backfill, fetch_streams
from worker.budget import QuotaExhausted
from worker.config import Settings, load_dotenv_file
from worker.inbox import EventStatus
from worker.lease import Heartbeat
from worker.logs import configure_logging
from worker.notnow import Deferrals, NotNow, install
from worker.outcomes import Hopeless, Skip, Wait
from worker.queue import (
    BACKFILL,
    BACKFILL_QUEUE,
    BACKFILL_STREAMS,
    HANDLE_EVENT,
    LIVE_QUEUE,
    REMOVE_BLOCKS,
)
from worker.runtime import Runtime
from worker.strava import StravaRateLimited
from worker.sweeper import Sweeper
from worker.tokens import TokensUnreadable

log = logging.getLogger(__name__)

#: An event may take this long before dramatiq interrupts it.
EVENT_TIME_LIMIT_MS = 180_000
#: A backfill or streams pass may take this long.
BACKFILL_TIME_LIMIT_MS = 600_000
#: How long to leave Strava alone after it said the application is inactive.
INACTIVE_PAUSE_S = 900
#: How long to wait after a 429 when the budget does not know when the window reopens.
RATE_LIMITED_WAIT_S = 60
#: How long a job waits for the right TOKEN_KEYS when the athlete's tokens cannot be decrypted.
KEYS_WAIT_S = 300

def setup() -> None:
    """What each worker process runs first (dramatiq's ``module:callable``): the settings read
    from the environment, logging configured, the actors built on the global broker."""
    load_dotenv_file()
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    actors = build(Runtime(settings))
    dramatiq.set_broker(actors.runtime.broker)


def build(runtime: Runtime) -> Actors:
    """The actors and middleware of one worker process, on ``runtime``'s broker."""
    return Actors(runtime)


def wait_for_keys(job: str, unreadable: TokensUnreadable) -> NotNow:
    """Tokens no key of TOKEN_KEYS opens: the deployment is wrong, so the job waits for the
    right key (it is not the athlete's doing: nothing is skipped or deleted), and says so at
    error level, once for each time it runs."""
    log.error("%s waits: %s. Is TOKEN_KEYS the set that encrypted them? The job runs again in "
              "%d s; `stridewise status` counts the athletes concerned.", job, unreadable,
              KEYS_WAIT_S, extra={"athlete_id": unreadable.athlete_id})
    return NotNow(KEYS_WAIT_S, str(unreadable))


class Actors:
    """The four actors on one runtime, and the middleware every job shares."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        settings = runtime.settings
        broker = runtime.broker
        install(broker, Deferrals(self.move_lease, max_retries=settings.max_retries,
                                  min_backoff=settings.min_backoff_ms,
                                  max_backoff=settings.max_backoff_ms))
        # After-hooks run in reverse order: placed before the retries, Outcomes sees their
        # verdict.
        broker.add_middleware(Outcomes(runtime), before=Deferrals)
        broker.add_middleware(SweeperMiddleware(runtime))
        broker.add_middleware(Heartbeat(runtime.inbox, HANDLE_EVENT))  # after Deferrals
        self.handle_event = self.actor(HANDLE_EVENT, LIVE_QUEUE, EVENT_TIME_LIMIT_MS,
                                       self._handle_event)
        self.backfill_athlete = self.actor(BACKFILL, BACKFILL_QUEUE, BACKFILL_TIME_LIMIT_MS,
                                           self._backfill_athlete)
        self.backfill_streams = self.actor(BACKFILL_STREAMS, BACKFILL_QUEUE,
                                           BACKFILL_TIME_LIMIT_MS, self._backfill_streams)
        self.remove_blocks = self.actor(REMOVE_BLOCKS, BACKFILL_QUEUE, BACKFILL_TIME_LIMIT_MS,
                                        self._remove_blocks)

    def not_now(self, job: str, waiting: Wait) -> NotNow:
        """How long a "not now" waits: what the job said (a NotNow), until the quota reopens
        (the budget's refusal, Strava's 429), KEYS_WAIT_S for unreadable tokens, or
        INACTIVE_PAUSE_S for an inactive application, during which the budget sends nothing."""
        if isinstance(waiting, NotNow):
            return waiting
        if isinstance(waiting, QuotaExhausted):
            return NotNow(max(1.0, waiting.retry_at - time.time()), str(waiting))
        budget = self.runtime.budget
        if isinstance(waiting, StravaRateLimited):
            reopens = budget.usage().closed_until or time.time() + RATE_LIMITED_WAIT_S
            return NotNow(max(1.0, reopens - time.time()), str(waiting))
        if isinstance(waiting, TokensUnreadable):
            return wait_for_keys(job, waiting)
        budget.pause(INACTIVE_PAUSE_S, "Strava says the application is inactive")
        log.error("Strava refuses every request: the application is inactive (its owner has "
                  "no active Strava subscription). Work stays queued; nothing is sent for "
                  "%d s.", INACTIVE_PAUSE_S)
        return NotNow(INACTIVE_PAUSE_S, str(waiting))

    def move_lease(self, message: MessageProxy, wait_s: float) -> None:
        """An event's next message comes in ``wait_s``: the sweeper leaves it alone until
        then."""
        if message.actor_name == HANDLE_EVENT:
            self.runtime.inbox.defer(message.args[0], wait_s)

    def actor(self, name: str, queue: str, time_limit_ms: int,
              work: Callable[[int], str]) -> Any:
        """A job of ours: a :class:`Wait` made :class:`NotNow`; a :class:`Skip` skips it; a
        :class:`Hopeless` is not retried (dramatiq's ``throws``); what it finished (the
        outcome ``work`` returns) is counted, with its Strava requests, when it ends."""

        def run(subject_id: int) -> None:
            with self.runtime.counters.batch():  # one round trip for the job's counts
                try:
                    outcome = work(subject_id)
                except Wait as waiting:
                    raise self.not_now(f"{name}({subject_id})", waiting) from None
                except Skip as skipped:
                    log.info("%s skipped: %s", name, skipped)
                    outcome = EventStatus.SKIPPED
                self.runtime.counters.job(name, outcome)

        run.__name__ = run.__qualname__ = name
        run.__doc__ = work.__doc__
        return dramatiq.actor(actor_name=name, queue_name=queue, throws=(Hopeless,),
                              time_limit=time_limit_ms, broker=self.runtime.broker)(run)

    def _handle_event(self, event_id: int) -> str:
        """Handle one webhook event from the inbox."""
        return sync.handle_event(self.runtime, event_id).status

    def _backfill_athlete(self, athlete_id: int) -> str:
        """Pull a newly connected athlete's recent history, then start the streams pass."""
        backfill(self.runtime, athlete_id)
        self.backfill_streams.send(athlete_id)
        return EventStatus.DONE

    def _remove_blocks(self, athlete_id: int) -> str:
        """A batch of a leaving athlete's block removal; the athlete is deleted at its end."""
        if leaving.step(self.runtime, athlete_id):
            self.remove_blocks.send(athlete_id)
        return EventStatus.DONE

    def _backfill_streams(self, athlete_id: int) -> str:
        """Streams for undecided backfilled activities, a batch at a time, while there is
        room."""
        if fetch_streams(self.runtime, athlete_id):
            self.backfill_streams.send(athlete_id)
        return EventStatus.DONE


class Outcomes(dramatiq.Middleware):
    """Counts the jobs that did not finish now, and records those that failed for good as dead
    letters (the actors count what they finished)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def after_process_message(self, broker: dramatiq.Broker, message: MessageProxy, *,
                              result: Any = None,
                              exception: BaseException | None = None) -> None:
        if exception is None:
            return
        failed = not isinstance(exception, NotNow)
        self.runtime.counters.job(message.actor_name, "failed" if failed else "deferred")
        if not message.failed:
            return
        reason = f"{type(exception).__name__}: {exception}"
        if message.actor_name == HANDLE_EVENT:
            self.runtime.inbox.bury(message.args[0], reason)
        else:
            self.runtime.jobs.bury(message.actor_name, message.queue_name, message.args[0],
                                   reason)
        log.error("%s%s is a dead letter: %s", message.actor_name, tuple(message.args), reason)


class SweeperMiddleware(dramatiq.Middleware):
    """One inbox sweeper per worker process."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.sweeper: Sweeper | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self.sweeper = Sweeper(self.runtime, interval_s=self.runtime.settings.sweep_interval_s)
        self.sweeper.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()
