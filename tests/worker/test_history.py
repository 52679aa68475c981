"""The athlete's weeks in Strava's cache: read from one list when missing, expiring or gone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, event, select

from analysis.description import find_block
from tests.support import http
from tests.support.athlete import connect, description
from tests.support.history import ATHLETE, seed_history, upload
from tests.worker.conftest import sandbox_calls, sandbox_stats
from worker import context, history, sync
from worker.backfill import fetch_streams
from worker.budget import across_resets
from worker.db import READ_ONLY
from worker.models import Activity, Athlete, utcnow
from worker.notnow import NotNow
from worker.runtime import Runtime

LIST = "GET /athlete/activities"


def list_reads(rt: Runtime) -> int:
    return sandbox_calls(rt, LIST)


def held(rt: Runtime) -> set[int]:
    with rt.db.session() as session:
        return set(session.scalars(select(Activity.id)).all())


def test_a_live_upload_without_a_history_reads_the_list_once_and_knows_the_weeks(
    strava_runtime: Runtime,
) -> None:
    seeded = seed_history(strava_runtime, days=28)
    connect(strava_runtime, ATHLETE)
    first, second = upload(strava_runtime, "easy", 1), upload(strava_runtime, "tempo", 2)
    assert across_resets(lambda: sync.sync_activity(strava_runtime, ATHLETE, first)).wrote
    assert across_resets(lambda: sync.sync_activity(strava_runtime, ATHLETE, second)).wrote
    assert list_reads(strava_runtime) == 1
    assert set(seeded) <= held(strava_runtime)
    block = find_block(description(strava_runtime, second))
    assert block is not None and "runs/week" in description(strava_runtime, second)


def test_a_live_upload_waits_while_another_worker_reads_the_history(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime, ATHLETE)
    activity_id = upload(strava_runtime, "easy", 1)
    lock = strava_runtime.redis.lock(f"stridewise:lock:history:{ATHLETE}", timeout=30)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(NotNow, match="history"):
            sync.sync_activity(strava_runtime, ATHLETE, activity_id)
    finally:
        lock.release()
    assert description(strava_runtime, activity_id) == ""


def test_an_expiring_history_is_read_again_and_what_strava_no_longer_lists_goes(
    strava_runtime: Runtime,
) -> None:
    seeded = seed_history(strava_runtime, days=28)
    connect(strava_runtime, ATHLETE)
    across_resets(lambda: history.refresh(strava_runtime, ATHLETE))
    assert history.complete_since(strava_runtime, ATHLETE) is not None
    http.delete(f"{strava_runtime.settings.strava_base_url}/_sandbox/activities/{seeded[0]}")
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None
        athlete.history_read_at = utcnow() - strava_runtime.settings.cache_horizon + timedelta(
            minutes=30)
    assert history.complete_since(strava_runtime, ATHLETE) is None
    athlete = context.read(strava_runtime.db, ATHLETE)
    strava = strava_runtime.strava(ATHLETE, "live", athlete.token)
    weeks = across_resets(lambda: history.weeks(strava_runtime, strava, athlete))
    assert weeks.write is not None
    with strava_runtime.db.session() as session:
        weeks.write(session)
    weeks.written()
    assert weeks.since == history.complete_since(strava_runtime, ATHLETE)
    assert weeks.since == weeks.context.history_since
    assert set(weeks.context.cached) == set(seeded[1:])
    assert held(strava_runtime) == set(seeded[1:])


def test_an_upload_listed_by_the_history_read_it_started_is_not_read_again_for_streams(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime, ATHLETE)
    activity_id = upload(strava_runtime, "fartlek", 1)  # its summary cannot decide
    assert across_resets(lambda: sync.sync_activity(strava_runtime, ATHLETE, activity_id)).wrote
    by_endpoint = sandbox_stats(strava_runtime)["by_endpoint"]
    assert by_endpoint.get(LIST) == 1 and by_endpoint.get("GET /activities/{id}/streams") == 1
    with strava_runtime.db.session() as session:
        row = session.get(Activity, activity_id)
        assert row is not None and row.used_streams and not row.needs_streams
    http.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/stats/reset")
    assert across_resets(lambda: fetch_streams(strava_runtime, ATHLETE)) == 0
    assert sandbox_stats(strava_runtime)["requests"] == 0


def test_the_streams_pass_leaves_an_upload_whose_event_is_pending_to_its_event(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime, ATHLETE)
    activity_id = upload(strava_runtime, "fartlek", 1)
    [event_id] = strava_runtime.inbox.record([{
        "aspect_type": "create", "event_time": 1_700_000_000, "object_id": activity_id,
        "object_type": "activity", "owner_id": ATHLETE, "subscription_id": 1, "updates": {}}])[1]
    across_resets(lambda: history.refresh(strava_runtime, ATHLETE))  # as on connect
    with strava_runtime.db.session() as session:
        row = session.get(Activity, activity_id)
        assert row is not None and row.needs_streams  # its summary cannot decide
    assert across_resets(lambda: fetch_streams(strava_runtime, ATHLETE)) == 0
    assert across_resets(lambda: sync.handle_event(strava_runtime, event_id)).wrote
    requests = sandbox_stats(strava_runtime)["by_activity"][str(activity_id)]
    assert requests == 3  # read, streams, write: the pass read nothing for it
    assert across_resets(lambda: fetch_streams(strava_runtime, ATHLETE)) == 0


def test_a_history_read_classifies_its_summaries_in_memory_and_writes_once(
    strava_runtime: Runtime,
) -> None:
    """The read's context, then Strava's pages classified in memory, then one write: however
    many summaries, three transactions at most, and only the write takes the lock."""
    seeded = seed_history(strava_runtime, days=28)
    connect(strava_runtime, ATHLETE)
    begun: list[bool] = []
    engine = strava_runtime.db.engine

    def begin(connection: Connection) -> None:
        begun.append(bool(connection.get_execution_options().get(READ_ONLY)))

    event.listen(engine, "begin", begin)
    try:
        stored = across_resets(lambda: history.refresh(strava_runtime, ATHLETE, force=True))
    finally:
        event.remove(engine, "begin", begin)
    assert stored == len(seeded) >= 20
    assert held(strava_runtime) == set(seeded)
    assert len(begun) <= 3
    assert begun.count(False) == 1  # the one write
