"""The dramatiq actors, run by an in-process dramatiq worker on the real broker."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import dramatiq
import pytest
from sqlalchemy import select

import worker.tasks
from tests.polling import wait_until
from tests.support.athlete import ATHLETE, connect, description, expire_history, upload
from tests.support.tasks import WAIT_S, delayed, faults, inbox_event, lease, load_tasks, wait_status
from worker import admin, history
from worker.metrics import JOBS_KEY
from worker.models import InboxEvent
from worker.notnow import NotNow
from worker.queue import (
    BACKFILL,
    BACKFILL_STREAMS,
    HANDLE_EVENT,
    LIVE_QUEUE,
    REMOVE_BLOCKS,
    enqueue,
)
from worker.runtime import Runtime
from worker.strava import StravaApplicationRefused, StravaRateLimited
from worker.tasks import Actors
from worker.tokens import AthleteUnavailable


@pytest.fixture
def tasks(strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Actors]:
    actors = load_tasks(strava_runtime, monkeypatch)
    yield actors
    actors.runtime.db.dispose()


@pytest.fixture
def running(tasks: Actors) -> Iterator[dramatiq.Worker]:
    worker = dramatiq.Worker(tasks.runtime.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


def test_actor_handles_an_inbox_event_to_the_end(
    strava_runtime: Runtime, tasks: Actors, running: dramatiq.Worker
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "intervals")
    event_id = inbox_event(strava_runtime, activity_id)
    enqueue(strava_runtime.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
    assert wait_status(strava_runtime, event_id, "done") == "done"
    assert description(strava_runtime, activity_id).count("-- Stridewise --") == 1


def attempts(rt: Runtime, event_id: int) -> int:
    with rt.db.session() as session:
        return int(session.scalar(select(InboxEvent.attempts)
                                  .where(InboxEvent.id == event_id)) or 0)


@pytest.mark.parametrize("why", ["quota spent", "application inactive"])
def test_not_now_defers_the_event_without_using_a_retry_and_moves_its_lease(
    strava_runtime: Runtime, tasks: Actors, running: dramatiq.Worker, why: str
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "easy")
    event_id = inbox_event(strava_runtime, activity_id)
    if why == "quota spent":
        tasks.runtime.budget.pause(60, "test: quota spent")
    else:
        faults(strava_runtime, inactive=True)
    tasks.handle_event.send(event_id)
    assert wait_until(lambda: len(delayed(strava_runtime)) == 1, timeout=WAIT_S)
    assert wait_until(lambda: lease(strava_runtime, event_id) > time.time() + 30, timeout=10)
    assert wait_status(strava_runtime, event_id, "pending", timeout=1) == "pending"
    assert b'"retries"' not in delayed(strava_runtime)[0]


def test_a_429_is_not_now_until_the_budget_reopens(tasks: Actors) -> None:
    tasks.runtime.budget.rate_limited()  # what the gateway does on a 429
    limited = StravaRateLimited("Strava 429: Rate Limit Exceeded", 429)
    wait = tasks.not_now("handle_event(1)", limited)
    assert isinstance(wait, NotNow) and not isinstance(wait, StravaRateLimited)
    assert 1 <= wait.delay_s <= tasks.runtime.settings.rate_windows.short + 1


def backfill_raising(tasks: Actors, monkeypatch: pytest.MonkeyPatch,
                     error: Exception) -> list[int]:
    """The backfill actor's work replaced by one that raises ``error``; returns its calls."""
    calls: list[int] = []

    def failing(_rt: Runtime, athlete_id: int) -> None:
        calls.append(athlete_id)
        raise error

    monkeypatch.setattr(worker.tasks, "backfill", failing)
    return calls


def counted(rt: Runtime, outcome: str) -> int:
    return int(rt.redis.hget(JOBS_KEY, f"backfill_athlete {outcome}") or 0)


def test_a_hopeless_failure_is_a_dead_letter_after_one_attempt_saying_what_to_fix(
    strava_runtime: Runtime, tasks: Actors, running: dramatiq.Worker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = backfill_raising(tasks, monkeypatch, StravaApplicationRefused(
        "Strava 401 Authorization Error: Application invalid", 401))
    tasks.backfill_athlete.send_with_options(args=(ATHLETE,), max_retries=3)
    assert wait_until(lambda: bool(strava_runtime.jobs.dead_letters()), timeout=WAIT_S)
    [job] = strava_runtime.jobs.dead_letters()
    assert calls == [ATHLETE]
    assert "STRAVA_CLIENT_ID" in job.reason


def test_a_skip_finishes_the_job_as_skipped_without_a_retry_or_a_dead_letter(
    strava_runtime: Runtime, tasks: Actors, running: dramatiq.Worker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = backfill_raising(tasks, monkeypatch, AthleteUnavailable("athlete must reconnect"))
    tasks.backfill_athlete.send_with_options(args=(ATHLETE,), max_retries=3)
    assert wait_until(lambda: counted(strava_runtime, "skipped") == 1, timeout=WAIT_S)
    running.join()  # nothing is left queued, delayed or retried
    assert calls == [ATHLETE]
    assert counted(strava_runtime, "failed") == 0
    assert strava_runtime.jobs.dead_letters() == []


def test_a_backfill_that_runs_out_of_retries_is_a_dead_letter_listed_and_requeued(
    strava_runtime: Runtime, tasks: Actors, running: dramatiq.Worker
) -> None:
    connect(strava_runtime)
    # The connect's own backfill reads the history first: expired only after it, not before
    # a late write of that read.
    assert wait_until(lambda: history.complete_since(strava_runtime, ATHLETE) is not None,
                      timeout=WAIT_S)
    faults(strava_runtime, error_rate=1.0)
    expire_history(strava_runtime)
    tasks.backfill_athlete.send_with_options(args=(ATHLETE,), max_retries=0)
    assert wait_until(lambda: bool(strava_runtime.jobs.dead_letters()), timeout=WAIT_S)
    listing = io.StringIO()
    with redirect_stdout(listing):
        admin.dlq_list(strava_runtime)
        admin.status(strava_runtime)
    [job] = strava_runtime.jobs.dead_letters()
    assert f"job-{job.id}" in listing.getvalue() and "backfill_athlete" in listing.getvalue()
    assert "0 events, 1 backfill jobs" in listing.getvalue()
    with redirect_stdout(io.StringIO()):
        admin.dlq_requeue(strava_runtime, [f"job-{job.id}"])
    assert strava_runtime.jobs.dead_letters() == []


def test_failure_past_the_retry_budget_is_a_dead_letter_with_its_reason_and_requeue_finishes_it(
    strava_runtime: Runtime, tasks: Actors, running: dramatiq.Worker
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "tempo")
    event_id = inbox_event(strava_runtime, activity_id)
    faults(strava_runtime, error_rate=1.0)
    tasks.handle_event.send_with_options(args=(event_id,), max_retries=0)
    assert wait_status(strava_runtime, event_id, "dead") == "dead"
    listing = io.StringIO()
    with redirect_stdout(listing):
        admin.dlq_list(strava_runtime)
    assert f"{event_id}" in listing.getvalue() and "StravaUnavailable" in listing.getvalue()

    faults(strava_runtime)
    with redirect_stdout(io.StringIO()):
        admin.dlq_requeue(strava_runtime, [str(event_id)])
    assert wait_status(strava_runtime, event_id, "done") == "done"
    assert description(strava_runtime, activity_id).count("-- Stridewise --") == 1


#: The lease of the retry-chain test, and how late Strava answers there: every attempt, one to
#: three requests, outlasts the lease.
SHORT_LEASE_S = 1.5
SLOW_ANSWER_S = 2.0


def test_with_strava_failing_every_call_an_event_is_tried_exactly_max_retries_plus_one_times(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each attempt is slower than the lease, and a sweeper looks eight times a lease: a second
    # chain would start during every attempt but for the heartbeat, and during every backoff
    # but for the retries moving the lease past it. Quota windows of a day: an attempt meeting
    # a short window's last second would wait for the reset (not now), a claim but no retry.
    tasks = load_tasks(strava_runtime, monkeypatch, STRIDEWISE_MAX_RETRIES="2",
                       STRIDEWISE_MIN_BACKOFF_MS="500", STRIDEWISE_MAX_BACKOFF_MS="1000",
                       STRIDEWISE_STALE_AFTER=str(SHORT_LEASE_S),
                       STRIDEWISE_SWEEP_INTERVAL=str(SHORT_LEASE_S / 8),
                       STRAVA_RATE_WINDOWS="86400,86400")
    reclaimed: list[int] = []
    reclaim = tasks.runtime.inbox.reclaim_stale

    def reclaim_and_record() -> list[int]:
        taken = reclaim()
        reclaimed.extend(taken)
        return taken

    monkeypatch.setattr(tasks.runtime.inbox, "reclaim_stale", reclaim_and_record)
    worker = dramatiq.Worker(tasks.runtime.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        connect(strava_runtime)
        # The connect's history read first: an event meeting it would wait once (not now),
        # which counts as an attempt of the event but not as a retry.
        assert wait_until(lambda: history.complete_since(strava_runtime, ATHLETE) is not None,
                          timeout=WAIT_S)
        activity_id = upload(strava_runtime, "tempo")
        faults(strava_runtime, error_rate=1.0)
        tasks.runtime.gateway.session.hooks["response"].append(
            lambda response, *args, **kwargs: time.sleep(SLOW_ANSWER_S))
        started = time.monotonic()
        _, [event_id] = tasks.runtime.inbox.record([{  # as the web process records it
            "object_type": "activity", "aspect_type": "create", "object_id": activity_id,
            "owner_id": ATHLETE, "event_time": int(time.time()), "updates": {}}])
        enqueue(strava_runtime.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
        assert wait_status(strava_runtime, event_id, "dead") == "dead"
        took = time.monotonic() - started
    finally:
        worker.stop()
        tasks.runtime.db.dispose()
    assert took > 3 * SLOW_ANSWER_S  # three attempts, each slower than the lease
    assert attempts(strava_runtime, event_id) == 2 + 1
    assert reclaimed == []


def test_importing_the_actors_builds_nothing_and_setup_builds_them_from_the_environment(
    tmp_path: Path,
) -> None:
    """What a worker process does: dramatiq imports worker.tasks (no broker, no actor yet),
    then runs its setup, which builds the actors from the environment on the global broker."""
    probe = (
        "import dramatiq.broker, worker.tasks\n"
        "assert dramatiq.broker.global_broker is None, 'importing built a broker'\n"
        "worker.tasks.setup()\n"
        "print(' '.join(sorted(dramatiq.get_broker().actors)))\n"
    )
    env = {**os.environ, "STRIDEWISE_VAR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'stridewise.db'}"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == sorted(
        [HANDLE_EVENT, BACKFILL, BACKFILL_STREAMS, REMOVE_BLOCKS])
