"""What one upload event costs the database, counted as the code runs it, against the goals of
issue 22 (three transactions or fewer, eight SQL statements or fewer); and an upload that must
read the athlete's weeks first, which stores them in its one write."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, event, select

from tests.support.athlete import connect, description, expire_history
from tests.worker.conftest import sandbox_calls
from worker import context, history, sync
from worker.db import READ_ONLY
from worker.models import Activity
from worker.notnow import NotNow
from worker.runtime import Runtime

ATHLETE = 7170
#: The goals of issue 22, per event.
GOAL_TRANSACTIONS = 3
GOAL_STATEMENTS = 8
LIST = "GET /athlete/activities"


@dataclass
class Spent:
    """The transactions (whether each only reads) and SQL statements of a block of code."""

    reading: list[bool] = field(default_factory=list)
    statements: int = 0

    @property
    def transactions(self) -> int:
        return len(self.reading)


@contextmanager
def spent(rt: Runtime) -> Iterator[Spent]:
    counted = Spent()

    def begin(connection: Connection) -> None:
        counted.reading.append(bool(connection.get_execution_options().get(READ_ONLY)))

    def statement(*_: Any) -> None:
        counted.statements += 1

    event.listen(rt.db.engine, "begin", begin)
    event.listen(rt.db.engine, "before_cursor_execute", statement)
    try:
        yield counted
    finally:
        event.remove(rt.db.engine, "begin", begin)
        event.remove(rt.db.engine, "before_cursor_execute", statement)


def seed_weeks(rt: Runtime) -> list[int]:
    answer = httpx.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/history",
                        json={"days": 28, "seed": 5})
    return list(answer.json()["ids"])


def upload(rt: Runtime, seed: int) -> int:
    answer = httpx.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                        json={"workout": "tempo", "seed": seed, "description": "",
                              "notify": False})
    return int(answer.json()["id"])


def created(rt: Runtime, activity_id: int) -> int:
    _, [event_id] = rt.inbox.record([{
        "object_type": "activity", "aspect_type": "create", "object_id": activity_id,
        "owner_id": ATHLETE, "event_time": int(time.time()), "updates": {}}])
    return event_id


def outside_the_windows_edge(rt: Runtime) -> None:
    """The budget refuses in the last second of a window: an event counted there would be
    counted twice."""
    if rt.budget.short_window_left() < 2:
        time.sleep(rt.budget.short_window_left() + 0.1)


def held(rt: Runtime) -> set[int]:
    with rt.db.read() as session:
        return set(session.scalars(select(Activity.id).where(Activity.athlete_id == ATHLETE)))


def test_an_upload_by_an_athlete_whose_weeks_are_cached_is_within_the_goals(
    strava_runtime: Runtime,
) -> None:
    seed_weeks(strava_runtime)
    connect(strava_runtime, ATHLETE)
    history.refresh(strava_runtime, ATHLETE)
    event_id = created(strava_runtime, upload(strava_runtime, 1))
    outside_the_windows_edge(strava_runtime)
    with spent(strava_runtime) as cost:
        result = sync.handle_event(strava_runtime, event_id)
    assert result.wrote
    assert cost.transactions <= GOAL_TRANSACTIONS
    assert cost.statements <= GOAL_STATEMENTS


def test_an_upload_that_reads_the_weeks_first_stores_them_in_its_one_write(
    strava_runtime: Runtime,
) -> None:
    seeded = seed_weeks(strava_runtime)
    connect(strava_runtime, ATHLETE)
    expire_history(strava_runtime, ATHLETE)
    activity_id = upload(strava_runtime, 2)
    event_id = created(strava_runtime, activity_id)
    outside_the_windows_edge(strava_runtime)
    with spent(strava_runtime) as cost:
        result = sync.handle_event(strava_runtime, event_id)
    assert result.wrote and "runs/week" in description(strava_runtime, activity_id)
    assert cost.transactions <= GOAL_TRANSACTIONS
    assert cost.reading.count(False) == 2  # the claim, and the one write
    assert sandbox_calls(strava_runtime, LIST) == 1
    assert set(seeded) | {activity_id} <= held(strava_runtime)
    assert history.complete_since(strava_runtime, ATHLETE) is not None
    with strava_runtime.db.read() as session:
        row = session.get(Activity, activity_id)
        assert row is not None and row.block_written_at is not None and not row.needs_streams
    # The history's lock outlives the write by a moment only.
    lingers = strava_runtime.redis.pttl(f"stridewise:lock:history:{ATHLETE}")
    assert 0 < int(lingers) <= history.LINGER_S * 1000


def test_an_event_that_fails_after_reading_the_weeks_keeps_them(
    strava_runtime: Runtime,
) -> None:
    seeded = seed_weeks(strava_runtime)
    connect(strava_runtime, ATHLETE)
    expire_history(strava_runtime, ATHLETE)
    missing = max(seeded) + 10_000  # no such activity at Strava: its read answers 404
    event_id = created(strava_runtime, missing)
    outside_the_windows_edge(strava_runtime)
    with pytest.raises(NotNow, match="not readable yet"):
        sync.handle_event(strava_runtime, event_id)
    assert history.complete_since(strava_runtime, ATHLETE) is not None
    assert set(seeded) <= held(strava_runtime)
    time.sleep(history.LINGER_S)  # the lock lapses: the next event reads the athlete afresh
    later = upload(strava_runtime, 3)
    outside_the_windows_edge(strava_runtime)
    assert sync.handle_event(strava_runtime, created(strava_runtime, later)).wrote
    assert sandbox_calls(strava_runtime, LIST) == 1


def test_an_event_that_read_its_athlete_before_the_weeks_were_stored_waits_for_them(
    strava_runtime: Runtime,
) -> None:
    """Instead of the context read again under the history's lock: the lock outlives the
    write that stored the weeks, so an event that read them missing just before comes back
    and reads the athlete again rather than reading the weeks a second time."""
    seed_weeks(strava_runtime)
    connect(strava_runtime, ATHLETE)
    expire_history(strava_runtime, ATHLETE)
    stale = context.read(strava_runtime.db, ATHLETE)
    assert history.covered_since(strava_runtime, stale) is None
    outside_the_windows_edge(strava_runtime)
    assert sync.handle_event(strava_runtime, created(strava_runtime, upload(strava_runtime, 4)))
    strava = strava_runtime.strava(ATHLETE, "live", stale.token)
    with pytest.raises(NotNow, match="history"):
        history.weeks(strava_runtime, strava, stale)
    assert sandbox_calls(strava_runtime, LIST) == 1
    fresh = context.read(strava_runtime.db, ATHLETE)
    assert history.weeks(strava_runtime, strava, fresh).write is None  # complete: no read
