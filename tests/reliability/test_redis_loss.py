"""Redis restarted or flushed under a backlog: the inbox and the sweeper lose no event."""

from __future__ import annotations

import time

import pytest

from tests.polling import wait_until
from tests.reliability.harness import LiveStack, block_counts
from tests.services import RedisServer
from worker.config import DEFAULT_LEASE_S

pytestmark = pytest.mark.e2e

#: The athletes of the tests: each Redis loss its own, and the event in flight.
ATHLETES = {"restart": 5202, "flush": 5203}
IN_FLIGHT = 5204
ATHLETE_TEXT = "Long run with the club."
UPLOADS = 30
LATE_UPLOADS = 5
THREADS = 4
#: Every Strava answer takes this long, so the backlog outlives the Redis loss.
SLOW_S = 1.0
#: PUTs seen before Redis goes: the worker is busy and most events still wait in the queue.
LOSE_AFTER_PUTS = 4
#: The sweeper re-enqueues an event once its lease (DEFAULT_LEASE_S) ran out; then the backlog runs.
RECOVERY_S = DEFAULT_LEASE_S + 60


def lose_redis(server: RedisServer, how: str) -> None:
    if how == "restart":
        server.restart()
    else:
        client = server.client()
        client.flushall()
        client.close()


@pytest.mark.parametrize("how", ["restart", "flush"])
def test_events_queued_when_redis_is_lost_are_all_posted_once(
    live: LiveStack, redis_server: RedisServer, how: str
) -> None:
    athlete = ATHLETES[how]
    live.begin(athlete, worker=False)
    live.faults(slow_rate=1.0, slow_seconds=SLOW_S)
    ids = live.upload(athlete, UPLOADS, ATHLETE_TEXT)
    assert wait_until(lambda: live.inbox_total(athlete) == UPLOADS, timeout=30)
    live.start_worker(threads=THREADS)
    assert wait_until(lambda: live.puts() >= LOSE_AFTER_PUTS, timeout=60, interval=0.05)
    queued_before = _queued(redis_server)
    _mark(redis_server)
    lose_redis(redis_server, how)
    lost_at = time.monotonic()
    # The sweeper may send events again the moment Redis is back (their leases can run out while
    # the backlog waits): what proves the loss is the mark, gone with everything Redis held.
    marked_after = _marked(redis_server)
    queued_after = _queued(redis_server)
    pending_after = live.inbox_statuses(athlete).get("pending", 0)
    live.faults()
    ids += live.upload(athlete, LATE_UPLOADS, ATHLETE_TEXT, first_seed=UPLOADS)
    found = live.wait_for_blocks(ids, timeout=RECOVERY_S)
    recovered_s = time.monotonic() - lost_at
    # A message the sweeper sent again while the first was still queued meets the activity's
    # lock or its block and finishes a few seconds after the block: wait for it too.
    wait_until(lambda: "pending" not in live.inbox_statuses(athlete), timeout=RECOVERY_S)
    puts = live.puts()
    statuses = live.inbox_statuses(athlete)

    print(f"redis {how}: {queued_before} messages queued before; {pending_after} events pending "
          f"and {queued_after} messages queued right after; {len(found)}/{len(ids)} posted "
          f"{recovered_s:.0f} s later; {puts} PUTs; inbox {statuses}")
    assert not marked_after, f"Redis kept what it held ({how})"
    assert queued_before > 0 and pending_after > 0, "no queued event was lost with Redis"
    assert len(found) == len(ids), f"{len(ids) - len(found)} events lost; logs in {live.tmp_path}"
    for text in found.values():
        assert block_counts(text) == (1, 1)
        assert text.startswith(ATHLETE_TEXT)
    # Events in flight when Redis went may be handled again and their block rewritten in place.
    assert len(ids) <= puts <= len(ids) + THREADS
    assert statuses == {"done": len(ids)}


#: A key of the test's own, written just before Redis is lost.
MARK = "stridewise-test:before-the-loss"


def _mark(server: RedisServer) -> None:
    client = server.client()
    try:
        client.set(MARK, "1")
    finally:
        client.close()


def _marked(server: RedisServer) -> bool:
    client = server.client()
    try:
        return bool(client.exists(MARK))
    finally:
        client.close()


def _queued(server: RedisServer) -> int:
    client = server.client()
    try:
        return int(client.hlen("stridewise:live.msgs"))
    finally:
        client.close()


def test_an_event_in_flight_when_redis_is_flushed_finishes_on_its_first_attempt(
    live: LiveStack, redis_server: RedisServer
) -> None:
    live.begin(IN_FLIGHT)
    live.faults(slow_rate=1.0, slow_seconds=2 * SLOW_S)
    [activity] = live.upload(IN_FLIGHT, 1, ATHLETE_TEXT)
    # Once the sandbox counts the first read, the worker holds the activity's lock.
    assert wait_until(lambda: live.stats()["by_activity"].get(str(activity), 0) >= 1,
                      timeout=30, interval=0.05)
    lose_redis(redis_server, "flush")
    assert live.wait_for_blocks([activity], timeout=30)
    assert wait_until(lambda: "pending" not in live.inbox_statuses(IN_FLIGHT), timeout=30)
    attempts = [row["attempts"] for row in live.dump()["inbox_events"]
                if row["owner_id"] == IN_FLIGHT]
    puts = live.puts()

    assert attempts == [1]
    assert puts == 1
