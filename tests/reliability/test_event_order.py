"""Strava's delivery as it really is: events repeated, out of order, or about data now gone."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from tests.polling import wait_until
from tests.reliability.harness import LiveStack, block_counts
from tests.services import RedisServer
from worker.models import InboxEvent, PushSubscription

pytestmark = pytest.mark.e2e

ATHLETE = 5404
OTHER = 5405
#: The athletes of the tests, one each, so that no test sees another's data.
TWICE, EARLY, LATE = 5406, 5407, 5408
ATHLETE_TEXT = "Hill reps, 6 x 90 s."
#: How long a handful of events may take to settle on an idle worker.
SETTLE_S = 45


def event(live: LiveStack, aspect: str, object_id: int, owner: int,
          object_type: str = "activity", updates: dict[str, str] | None = None,
          event_time: int | None = None) -> dict[str, Any]:
    with live.db.session() as session:
        subscription = session.scalar(select(PushSubscription.id))
    return {"aspect_type": aspect, "event_time": event_time or int(time.time()),
            "object_id": object_id, "object_type": object_type, "owner_id": owner,
            "subscription_id": subscription, "updates": updates or {}}


def inbox(live: LiveStack, object_id: int) -> list[tuple[str, str, int]]:
    with live.db.session() as session:
        rows = session.execute(select(InboxEvent.aspect_type, InboxEvent.status,
                                      InboxEvent.attempts)
                               .where(InboxEvent.object_id == object_id)
                               .order_by(InboxEvent.id)).all()
    return [(aspect, status, attempts) for aspect, status, attempts in rows]


def settled(live: LiveStack, athlete: int) -> bool:
    return "pending" not in live.inbox_statuses(athlete)


def test_an_event_delivered_three_times_is_stored_once_and_posted_once(live: LiveStack) -> None:
    live.begin(TWICE)
    [activity] = live.upload(TWICE, 1, ATHLETE_TEXT, notify=False)
    body = event(live, "create", activity, TWICE)
    answers = [live.post_event(body).status_code for _ in range(3)]
    found = live.wait_for_blocks([activity], timeout=SETTLE_S)
    assert wait_until(lambda: settled(live, TWICE), timeout=SETTLE_S)

    assert answers == [200, 200, 200]
    assert block_counts(found[activity]) == (1, 1)
    assert found[activity].startswith(ATHLETE_TEXT)
    # Stored once, handled by one message on its first attempt (the stack starts once the
    # connect's history read is done, so nothing makes it wait).
    assert inbox(live, activity) == [("create", "done", 1)]
    assert live.puts() == 1


def test_an_update_before_its_create_ends_with_one_block(live: LiveStack) -> None:
    live.begin(EARLY)
    [activity] = live.upload(EARLY, 1, ATHLETE_TEXT, notify=False)
    created = int(time.time())
    live.post_event(event(live, "update", activity, EARLY, updates={"title": "Hills"},
                          event_time=created + 60))
    live.post_event(event(live, "create", activity, EARLY, event_time=created))
    found = live.wait_for_blocks([activity], timeout=SETTLE_S)
    assert wait_until(lambda: settled(live, EARLY), timeout=SETTLE_S)

    assert block_counts(found[activity]) == (1, 1)
    assert found[activity].startswith(ATHLETE_TEXT)
    assert [(aspect, status) for aspect, status, _ in inbox(live, activity)] == [
        ("update", "done"), ("create", "done")]
    assert live.puts() == 1


def test_a_create_arriving_after_the_delete_settles_at_once_storing_and_writing_nothing(
    live: LiveStack,
) -> None:
    live.begin(LATE)
    [activity] = live.upload(LATE, 1, ATHLETE_TEXT, notify=False)
    created = int(time.time())
    live.http.delete(f"/_sandbox/activities/{activity}").raise_for_status()
    assert wait_until(lambda: ("delete", "done", 1) in inbox(live, activity), timeout=SETTLE_S)
    live.post_event(event(live, "create", activity, LATE, event_time=created))
    # At once: not retried for minutes as if the activity were only slow to appear.
    assert wait_until(lambda: settled(live, LATE), timeout=20)

    assert any(a == "create" and n >= 1 for a, _, n in inbox(live, activity))
    assert not [row for row in live.dump()["activities"] if row["id"] == activity]
    assert live.puts() == 0


def test_deauthorization_with_jobs_queued_deletes_every_row_of_the_athlete(
    live: LiveStack, redis_server: RedisServer
) -> None:
    live.begin(ATHLETE, OTHER, worker=False)
    gone = live.upload(ATHLETE, 5, ATHLETE_TEXT)
    kept = live.upload(OTHER, 3, ATHLETE_TEXT, first_seed=5)
    live.http.post(f"/_sandbox/athletes/{ATHLETE}/deauthorize").raise_for_status()
    assert wait_until(lambda: live.inbox_total(ATHLETE, OTHER) == len(gone) + len(kept) + 1,
                      timeout=30)
    events = _event_ids(live, ATHLETE, OTHER)
    live.start_worker()
    found = live.wait_for_blocks(kept, timeout=SETTLE_S)
    assert wait_until(lambda: not _rows_about(live, ATHLETE, gone), timeout=SETTLE_S)
    assert wait_until(lambda: not _queued(redis_server, {ATHLETE, OTHER}, events),
                      timeout=SETTLE_S)
    leftovers = _rows_about(live, ATHLETE, gone)
    written = [live.description(a) for a in gone]
    other = live.dump()

    assert leftovers == []
    assert not [text for text in written if block_counts(text) != (0, 0)]
    assert len(found) == len(kept)
    # Of the two athletes, only the other is left, with their activities.
    assert {row["id"] for row in other["athletes"]} & {ATHLETE, OTHER} == {OTHER}
    assert {row["id"] for row in other["activities"]} >= set(kept)


def _rows_about(live: LiveStack, athlete_id: int, activity_ids: list[int]) -> list[str]:
    """Every row, in any table, with a column holding the athlete's or their activities' ids."""
    wanted = {athlete_id, *activity_ids}
    return [f"{table}: {row}" for table, rows in live.dump().items() for row in rows
            if wanted & {v for v in row.values() if isinstance(v, int)}]


def _event_ids(live: LiveStack, *athletes: int) -> set[int]:
    with live.db.session() as session:
        return set(session.scalars(select(InboxEvent.id)
                                   .where(InboxEvent.owner_id.in_(athletes))).all())


def _queued(server: RedisServer, athletes: set[int], events: set[int]) -> list[bytes]:
    """Messages still queued for these athletes: a backfill job of theirs, or one of their
    inbox events (every actor takes one id). Other tests' messages on the stack are not."""
    client = server.client()
    try:
        queued = [(q, m) for q in ("live", "live.DQ", "backfill", "backfill.DQ")
                  for m in client.hvals(f"stridewise:{q}.msgs")]
    finally:
        client.close()
    return [m for q, m in queued
            if json.loads(m)["args"][0] in (events if q.startswith("live") else athletes)]
