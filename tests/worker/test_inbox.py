"""The life of an inbox event: record, claim, finish, defer, bury, reclaim, requeue."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from worker.db import Database
from worker.inbox import EventStatus, Inbox, Recorded, dedup_key
from worker.migrate import upgrade
from worker.models import Athlete, InboxEvent, utcnow
from worker.runtime import Runtime

ATHLETE = 41


def event(**changes: Any) -> dict[str, Any]:
    body = {"aspect_type": "create", "event_time": 1_700_000_000, "object_id": 7,
            "object_type": "activity", "owner_id": ATHLETE, "subscription_id": 1,
            "updates": {}}
    return body | changes


@pytest.fixture
def inbox(runtime: Runtime) -> Inbox:
    with runtime.db.session() as session:
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="activity:write"))
    return runtime.inbox


def test_record_tells_new_duplicate_and_unknown_events_apart(inbox: Inbox) -> None:
    outcomes, ids = inbox.record([event(), event(), event(owner_id=ATHLETE + 1)])
    assert outcomes == [Recorded.ACCEPTED, Recorded.DUPLICATE, Recorded.UNKNOWN_ATHLETE]
    assert len(ids) == 1
    assert inbox.record([event()]) == ([Recorded.DUPLICATE], [])


def test_a_claim_counts_an_attempt_and_a_finished_event_cannot_be_claimed(inbox: Inbox) -> None:
    [event_id] = inbox.record([event()])[1]
    claim = inbox.claim(event_id)
    assert not isinstance(claim, str) and claim.object_id == 7
    inbox.finish(event_id, EventStatus.DONE, "written")
    assert inbox.claim(event_id) == "event already done"
    assert inbox.claim(event_id + 1000) == "event no longer exists (athlete deleted?)"
    assert inbox.counts() == {"done": 1}


def test_a_deferred_event_is_not_reclaimed_until_its_lease_runs_out(
    inbox: Inbox, runtime: Runtime
) -> None:
    [event_id] = inbox.record([event()])[1]
    assert inbox.reclaim_stale() == []  # a fresh event's message owns it
    inbox.defer(event_id, 3600)
    with runtime.db.session() as session:
        row = session.get(InboxEvent, event_id)
        assert row is not None and row.lease_until is not None
        assert row.lease_until > utcnow() + timedelta(seconds=3600)
        row.lease_until = utcnow() - timedelta(seconds=1)
    assert inbox.reclaim_stale() == [event_id]
    assert inbox.reclaim_stale() == []  # taken: only one sweeper gets it


def lease_of(runtime: Runtime, event_id: int) -> Any:
    with runtime.db.session() as session:
        row = session.get(InboxEvent, event_id)
        assert row is not None
        return row.lease_until


def test_extending_gives_a_running_attempt_a_lease_from_now_and_never_shortens_one(
    inbox: Inbox, runtime: Runtime
) -> None:
    running, deferred, finished = inbox.record([event(object_id=n) for n in (1, 2, 3)])[1]
    with runtime.db.session() as session:
        for event_id in (running, finished):
            row = session.get(InboxEvent, event_id)
            assert row is not None
            row.lease_until = utcnow() - timedelta(seconds=1)  # the attempt outlasted its lease
    inbox.defer(deferred, 3600)
    inbox.finish(finished, EventStatus.DONE, "written")
    waiting_until = lease_of(runtime, deferred)
    before = utcnow()
    inbox.extend({running, deferred, finished})
    assert lease_of(runtime, running) >= before + timedelta(seconds=inbox.lease_s)
    assert lease_of(runtime, deferred) == waiting_until
    assert lease_of(runtime, finished) < before
    assert inbox.reclaim_stale() == []


def test_a_buried_event_is_a_dead_letter_until_requeued(inbox: Inbox) -> None:
    [event_id] = inbox.record([event()])[1]
    inbox.claim(event_id)
    inbox.bury(event_id, "StravaUnavailable: Strava 503")
    [dead] = inbox.dead_letters()
    assert (dead.id, dead.last_error, dead.attempts) == (event_id, "StravaUnavailable: Strava 503",
                                                         1)
    assert inbox.reclaim_stale() == []
    assert inbox.requeue([event_id]) == [event_id]
    assert inbox.counts() == {"pending": 1}


def test_the_dedup_key_is_the_same_for_strava_retries_of_one_event() -> None:
    assert dedup_key(event()) == dedup_key(event(subscription_id=2))
    assert dedup_key(event()) != dedup_key(event(aspect_type="update"))


def test_the_lease_migration_keeps_pending_events_away_from_the_sweeper_as_before(
    tmp_path: Path, database_url: str
) -> None:
    db = Database(database_url)
    upgrade(db.engine, "0002")
    enqueued = utcnow() - timedelta(seconds=30)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO athletes (id, firstname, access_token, refresh_token, expires_at, "
            "scope, status, units, connected_at, updated_at) VALUES "
            "(1, '', 'a', 'r', 0, 's', 'active', 'metric', :now, :now)"),
            {"now": enqueued.replace(tzinfo=None)})
        connection.execute(text(
            "INSERT INTO inbox_events (dedup_key, object_type, aspect_type, object_id, owner_id,"
            " event_time, updates, received_at, enqueued_at, status, attempts) VALUES "
            "('k', 'activity', 'create', 1, 1, 1, '{}', :at, :at, 'pending', 0)"),
            {"at": enqueued.replace(tzinfo=None)})
    upgrade(db.engine)
    with db.session() as session:
        [row] = session.query(InboxEvent).all()
        assert row.lease_until is not None
        assert abs((row.lease_until - enqueued).total_seconds() - 120) < 1
    db.dispose()
