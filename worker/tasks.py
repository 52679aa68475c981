"""The dramatiq actors. Importing this module configures the broker from the environment.

Actors stay thin: they call :mod:`worker.sync` and :mod:`worker.backfill`, and turn "not now"
(quota spent, activity not readable yet, application inactive) into a delayed message that
costs no retry. Anything else that escapes is retried by dramatiq with backoff and, past the
retry budget, lands in the dead letters with its reason on the inbox row.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage, Retries

from worker import sync
from worker.backfill import backfill, fetch_streams
from worker.budget import QuotaExhausted
from worker.config import Settings, load_dotenv_file
from worker.logs import configure_logging
from worker.models import InboxEvent, utcnow
from worker.queue import BACKFILL, BACKFILL_QUEUE, BACKFILL_STREAMS, HANDLE_EVENT, LIVE_QUEUE
from worker.runtime import Runtime
from worker.strava import StravaApplicationInactive
from worker.sweeper import STALE_AFTER_S, SWEEP_INTERVAL_S, Sweeper
from worker.tokens import AthleteUnavailable

log = logging.getLogger(__name__)

#: Retries of a failing event before it becomes a dead letter, and the backoff between them
#: (dramatiq doubles it from the minimum up to the maximum): about 20 minutes in all.
#: STRIDEWISE_MAX_RETRIES, STRIDEWISE_MIN_BACKOFF_MS and STRIDEWISE_MAX_BACKOFF_MS override them
#: (fault-injection tests shrink them to see dead letters within seconds).
MAX_RETRIES = int(os.environ.get("STRIDEWISE_MAX_RETRIES", 8))
MIN_BACKOFF_MS = int(os.environ.get("STRIDEWISE_MIN_BACKOFF_MS", 5_000))
MAX_BACKOFF_MS = int(os.environ.get("STRIDEWISE_MAX_BACKOFF_MS", 300_000))
#: An event may take this long before dramatiq interrupts it.
TIME_LIMIT_MS = 180_000
#: How long to leave Strava alone after it said the application is inactive.
INACTIVE_PAUSE_S = 900

load_dotenv_file()
configure_logging()
runtime = Runtime(Settings.from_env())
dramatiq.set_broker(runtime.broker)


class DeadLetters(dramatiq.Middleware):
    """Writes the reason on the inbox row of an event that ran out of retries."""

    def after_process_message(self, broker: dramatiq.Broker, message: Any, *,
                              result: Any = None, exception: BaseException | None = None) -> None:
        if exception is None or not message.failed or message.actor_name != HANDLE_EVENT:
            return
        reason = f"{type(exception).__name__}: {exception}"
        with runtime.db.session() as session:
            event = session.get(InboxEvent, message.args[0])
            if event is not None and event.status == "pending":
                event.status = "dead"
                event.last_error = reason
                event.finished_at = utcnow()
        log.error("event %s is a dead letter: %s", message.args[0], reason)


class SweeperMiddleware(dramatiq.Middleware):
    """One inbox sweeper per worker process."""

    def __init__(self) -> None:
        self.sweeper: Sweeper | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self.sweeper = Sweeper(
            runtime,
            interval_s=float(os.environ.get("STRIDEWISE_SWEEP_INTERVAL", SWEEP_INTERVAL_S)),
            stale_after_s=float(os.environ.get("STRIDEWISE_STALE_AFTER", STALE_AFTER_S)),
        )
        self.sweeper.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        if self.sweeper is not None:
            self.sweeper.stop()


# After-hooks run in reverse order: placed before Retries, DeadLetters sees its verdict.
runtime.broker.add_middleware(DeadLetters(), before=Retries)
runtime.broker.add_middleware(SweeperMiddleware())


@dramatiq.actor(actor_name=HANDLE_EVENT, queue_name=LIVE_QUEUE, max_retries=MAX_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, time_limit=TIME_LIMIT_MS,
                throws=(sync.UnreadableActivity,))
def handle_event(event_id: int) -> None:
    """Handle one webhook event from the inbox."""
    try:
        result = sync.handle_event(runtime, event_id)
    except (QuotaExhausted, sync.RetryLater, StravaApplicationInactive) as later:
        _defer(event_id, later)
        runtime.counters.job(HANDLE_EVENT, "deferred")
        return
    except Exception:
        runtime.counters.job(HANDLE_EVENT, "failed")
        raise
    runtime.counters.job(HANDLE_EVENT, result.status)


@dramatiq.actor(actor_name=BACKFILL, queue_name=BACKFILL_QUEUE, max_retries=MAX_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, time_limit=600_000)
def backfill_athlete(athlete_id: int) -> None:
    """Pull a newly connected athlete's recent history, then start the streams pass."""
    try:
        backfill(runtime, athlete_id)
    except AthleteUnavailable as gone:
        log.info("backfill skipped: %s", gone, extra={"athlete_id": athlete_id})
    except (QuotaExhausted, StravaApplicationInactive) as later:
        delay = _delay_for(later)
        backfill_athlete.send_with_options(args=(athlete_id,), delay=int(delay * 1000))
    else:
        backfill_streams.send(athlete_id)


@dramatiq.actor(actor_name=BACKFILL_STREAMS, queue_name=BACKFILL_QUEUE, max_retries=MAX_RETRIES,
                min_backoff=MIN_BACKOFF_MS, max_backoff=MAX_BACKOFF_MS, time_limit=600_000)
def backfill_streams(athlete_id: int) -> None:
    """Streams for undecided backfilled activities, a batch at a time, while there is room."""
    try:
        waiting = fetch_streams(runtime, athlete_id)
    except AthleteUnavailable as gone:
        log.info("streams pass skipped: %s", gone, extra={"athlete_id": athlete_id})
        return
    except (QuotaExhausted, StravaApplicationInactive) as later:
        delay = _delay_for(later)
        backfill_streams.send_with_options(args=(athlete_id,), delay=int(delay * 1000))
        return
    if waiting:
        backfill_streams.send(athlete_id)


def _delay_for(later: Exception) -> float:
    if isinstance(later, QuotaExhausted):
        return max(1.0, later.retry_at - time.time())
    if isinstance(later, sync.RetryLater):
        return later.delay_s
    runtime.budget.pause(INACTIVE_PAUSE_S, "Strava says the application is inactive")
    log.error("Strava refuses every request: the application is inactive (its owner has no "
              "active Strava subscription). Work stays queued; nothing is sent for %d s.",
              INACTIVE_PAUSE_S)
    return INACTIVE_PAUSE_S


def _defer(event_id: int, later: Exception) -> None:
    """Send the event again after the delay, without using one of its retries."""
    delay = _delay_for(later)
    with runtime.db.session() as session:
        event = session.get(InboxEvent, event_id)
        if event is None:
            return
        # Moving the mark forward keeps the sweeper from sending a second copy meanwhile.
        event.enqueued_at = utcnow() + timedelta(seconds=delay)
    log.info("event %s deferred %.0f s: %s", event_id, delay, later, extra={"event_id": event_id})
    message = CurrentMessage.get_current_message()
    options = {"retries": message.options.get("retries", 0)} if message is not None else {}
    handle_event.send_with_options(args=(event_id,), delay=int(delay * 1000), **options)
