"""The dramatiq actors, run by an in-process dramatiq worker on the real broker."""

from __future__ import annotations

import importlib
import io
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from types import ModuleType

import dramatiq
import httpx
import pytest
from sqlalchemy import select

from tests.worker.test_sync import ATHLETE, connect, description, upload
from worker import admin
from worker.models import InboxEvent
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue
from worker.runtime import Runtime

#: Long enough for a handful of events on a loaded two-core machine.
WAIT_S = 60


@pytest.fixture
def tasks(strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """worker.tasks configured, as at a worker's start, from this test's environment."""
    settings = strava_runtime.settings
    monkeypatch.setenv("STRIDEWISE_VAR", str(settings.var_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STRAVA_BASE_URL", settings.strava_base_url)
    monkeypatch.setenv("STRIDEWISE_SWEEP_INTERVAL", "3600")
    if settings.redis_url:
        monkeypatch.setenv("REDIS_URL", settings.redis_url)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    import worker.tasks

    module = importlib.reload(worker.tasks)  # actors bind to the broker of this environment
    yield module
    module.runtime.db.dispose()


@pytest.fixture
def running(tasks: ModuleType) -> Iterator[dramatiq.Worker]:
    worker = dramatiq.Worker(tasks.runtime.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


def inbox_event(rt: Runtime, activity_id: int) -> int:
    with rt.db.session() as session:
        event = InboxEvent(dedup_key=f"create-{activity_id}", object_type="activity",
                           aspect_type="create", object_id=activity_id, owner_id=ATHLETE,
                           event_time=int(time.time()))
        session.add(event)
        session.flush()
        return event.id


def wait_status(rt: Runtime, event_id: int, wanted: str, timeout: float = WAIT_S) -> str:
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        with rt.db.session() as session:
            status = session.scalar(select(InboxEvent.status).where(InboxEvent.id == event_id))
        if status == wanted:
            break
        time.sleep(0.2)
    return str(status)


def faults(rt: Runtime, **settings: object) -> None:
    httpx.post(f"{rt.settings.strava_base_url}/_sandbox/faults", json=settings).raise_for_status()


def test_actor_handles_an_inbox_event_to_the_end(
    strava_runtime: Runtime, tasks: ModuleType, running: dramatiq.Worker
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "intervals")
    event_id = inbox_event(strava_runtime, activity_id)
    enqueue(strava_runtime.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
    assert wait_status(strava_runtime, event_id, "done") == "done"
    assert description(strava_runtime, activity_id).count("-- Stridewise --") == 1


def test_spent_quota_defers_the_event_without_using_a_retry(
    strava_runtime: Runtime, tasks: ModuleType
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "easy")
    event_id = inbox_event(strava_runtime, activity_id)
    tasks.runtime.budget.pause(60, "test: quota spent")
    tasks.handle_event.fn(event_id)  # as the worker would run it
    with strava_runtime.db.session() as session:
        event = session.get(InboxEvent, event_id)
        assert event is not None and event.status == "pending"
        assert event.enqueued_at is not None
        assert event.enqueued_at.timestamp() > time.time() + 30  # the sweeper leaves it alone
    delayed = strava_runtime.redis.hgetall("stridewise:live.DQ.msgs")
    assert len(delayed) == 1
    assert b'"retries"' not in next(iter(delayed.values()))


def test_failure_past_the_retry_budget_is_a_dead_letter_with_its_reason_and_requeue_finishes_it(
    strava_runtime: Runtime, tasks: ModuleType, running: dramatiq.Worker
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
        admin.dlq_requeue(strava_runtime, [event_id])
    assert wait_status(strava_runtime, event_id, "done") == "done"
    assert description(strava_runtime, activity_id).count("-- Stridewise --") == 1
