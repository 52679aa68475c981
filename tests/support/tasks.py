"""The worker's actors as a test builds and drives them: built from the test's environment, fed
inbox events, and watched through the inbox, the event's lease and dramatiq's delayed queue."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.support import http
from tests.support.athlete import ATHLETE
from worker.config import Settings
from worker.models import InboxEvent
from worker.queue import LIVE_QUEUE
from worker.runtime import Runtime
from worker.tasks import Actors, build

#: Long enough for a handful of events on a loaded two-core machine.
WAIT_S = 60


def load_tasks(rt: Runtime, monkeypatch: pytest.MonkeyPatch, **env: str) -> Actors:
    """A worker process's actors, built as at its start from this test's environment."""
    settings = rt.settings
    monkeypatch.setenv("STRIDEWISE_VAR", str(settings.var_dir))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STRAVA_BASE_URL", settings.strava_base_url)
    monkeypatch.setenv("STRIDEWISE_SWEEP_INTERVAL", "3600")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if settings.redis_url:
        monkeypatch.setenv("REDIS_URL", settings.redis_url)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    return build(Runtime(Settings.from_env()))  # actors on a broker of this environment


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
    http.post(f"{rt.settings.strava_base_url}/_sandbox/faults", json=settings).raise_for_status()


def lease(rt: Runtime, event_id: int) -> float:
    with rt.db.session() as session:
        event = session.get(InboxEvent, event_id)
        assert event is not None and event.lease_until is not None
        return event.lease_until.timestamp()


def delayed(rt: Runtime, queue: str = LIVE_QUEUE) -> list[bytes]:
    return list(rt.redis.hgetall(f"stridewise:{queue}.DQ.msgs").values())
