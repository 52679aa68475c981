"""What an event sends Redis besides the quota's one reservation: the activity's lock set once
and released, and the job's counts in one pipeline; and the quota's counters, which a
reservation no longer sets an expiry on once they count."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests
from redis.connection import Connection, ConnectionPool

from worker.budget import KEY_GRACE_S, Budget
from worker.metrics import BATCH_S, JOBS_KEY, STRAVA_KEY, WorkerCounters
from worker.ratelimits import RateLimits, RateWindows
from worker.sync import ACTIVITY_LOCK_S, KEEPALIVE_AFTER_S, ActivityLock

WINDOWS = RateWindows(short=900, daily=86_400)
LIMITS = RateLimits(overall_short=200, overall_daily=2000, read_short=100, read_daily=1000)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Trips:
    """Round trips (a pipeline is one) sent by the connections of one pool."""

    count = 0
    lock = threading.Lock()


class CountingConnection(Connection):
    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        with Trips.lock:
            Trips.count += 1
        super().send_packed_command(command, check_health)


@pytest.fixture
def counted(redis_url: str) -> Iterator[redis.Redis]:
    if not redis_url:
        pytest.skip("round trips are counted on a redis-server")
    client = redis.Redis(connection_pool=ConnectionPool.from_url(
        redis_url, connection_class=CountingConnection))
    yield client
    client.close()


def test_the_activity_lock_is_set_again_only_once_it_is_no_longer_fresh(
    redis_client: redis.Redis,
) -> None:
    clock = Clock()
    held = ActivityLock(redis_client, 42, clock)
    assert held.acquire()
    assert not ActivityLock(redis_client, 42, clock).acquire()  # another worker: not now
    key = "stridewise:lock:activity:42"
    redis_client.pexpire(key, 30_000)  # as if the lock had been set a while ago
    clock.now += KEEPALIVE_AFTER_S / 2
    held.keepalive()
    assert int(redis_client.pttl(key)) <= 30_000  # set moments ago: left as it is
    clock.now += KEEPALIVE_AFTER_S
    held.keepalive()
    assert int(redis_client.pttl(key)) > 30_000
    assert int(redis_client.pttl(key)) <= ACTIVITY_LOCK_S * 1000
    held.release()
    assert not redis_client.exists(key)


def test_a_lapsed_activity_lock_taken_by_another_is_neither_extended_nor_released(
    redis_client: redis.Redis,
) -> None:
    clock = Clock()
    held = ActivityLock(redis_client, 43, clock)
    assert held.acquire()
    redis_client.delete("stridewise:lock:activity:43")  # lapsed
    other = ActivityLock(redis_client, 43, clock)
    assert other.acquire()
    clock.now += 2 * KEEPALIVE_AFTER_S
    held.keepalive()
    held.release()
    assert redis_client.exists("stridewise:lock:activity:43")  # still the other's
    other.release()


def strava_answer(method: str, url: str, status: int) -> requests.Response:
    response = requests.Response()
    response.url, response.status_code = url, status
    response.request = requests.Request(method, url).prepare()
    return response


def test_a_jobs_counts_reach_redis_together_when_it_ends(counted: redis.Redis) -> None:
    counted.delete(JOBS_KEY, STRAVA_KEY)
    counters = WorkerCounters(counted)
    before = Trips.count
    with counters.batch():
        counters.strava_response(strava_answer("GET", "http://strava/api/v3/activities/7", 200))
        counters.strava_response(strava_answer("PUT", "http://strava/api/v3/activities/7", 200))
        counters.strava_response(strava_answer("GET", "http://strava/api/v3/activities/8", 200))
        counters.job("handle_event", "done")
        assert Trips.count == before  # nothing sent yet
    assert Trips.count == before + 1
    assert counted.hgetall(STRAVA_KEY) == {b"GET /api/v3/activities/{id} 200": b"2",
                                           b"PUT /api/v3/activities/{id} 200": b"1"}
    assert counted.hgetall(JOBS_KEY) == {b"handle_event done": b"1"}


def test_a_jobs_counts_are_sent_when_it_fails_and_at_once_outside_a_job(
    counted: redis.Redis,
) -> None:
    counted.delete(JOBS_KEY, STRAVA_KEY)
    counters = WorkerCounters(counted)
    with pytest.raises(ZeroDivisionError), counters.batch():
        counters.strava_response(strava_answer("GET", "http://strava/api/v3/athlete", 503))
        _ = 1 / 0
    assert counted.hgetall(STRAVA_KEY) == {b"GET /api/v3/athlete 503": b"1"}
    counters.job("backfill_athlete", "failed")  # the middleware's count, after the job
    assert counted.hgetall(JOBS_KEY) == {b"backfill_athlete failed": b"1"}


def test_a_long_jobs_counts_are_sent_every_few_seconds(counted: redis.Redis) -> None:
    counted.delete(STRAVA_KEY)
    clock = Clock()
    counters = WorkerCounters(counted, clock)
    page = strava_answer("GET", "http://strava/api/v3/athlete/activities", 200)
    with counters.batch():
        counters.strava_response(page)
        assert not counted.hgetall(STRAVA_KEY)
        clock.now += BATCH_S
        counters.strava_response(page)
        assert counted.hgetall(STRAVA_KEY) == {b"GET /api/v3/athlete/activities 200": b"2"}
        counters.strava_response(page)
    assert counted.hgetall(STRAVA_KEY) == {b"GET /api/v3/athlete/activities 200": b"3"}


def test_every_counter_a_reservation_touches_outlives_its_window(
    redis_client: redis.Redis,
) -> None:
    """A counter's expiry is set when it starts counting, not by every reservation: it still
    outlives its window, through later reservations and releases."""
    redis_client.flushdb()
    now = 1_800_000_000.0 + 100  # 100 s into a quarter hour
    budget = Budget(redis_client, LIMITS, WINDOWS, clock=lambda: now)

    def counters() -> dict[str, tuple[int, int]]:
        return {key.decode(): (int(redis_client.get(key) or 0), int(redis_client.ttl(key)))
                for key in redis_client.scan_iter("stridewise:quota:*")
                if not key.endswith(b":wanting")}

    budget.acquire("live", count=2, athlete_id=9)
    first = counters()
    assert len(first) == 6  # overall and read, short and daily; the athlete's short and daily
    for key, (used, ttl) in first.items():
        window = WINDOWS.short if ":short:" in key else WINDOWS.daily
        assert used == 2
        assert window - now % window + KEY_GRACE_S - 1 <= ttl <= window + KEY_GRACE_S
    budget.acquire("live", count=1, athlete_id=9)
    budget.release(list(first), 3)  # back to nothing
    budget.acquire("live", count=1, athlete_id=9)
    for key, (used, ttl) in counters().items():
        assert used == 1
        assert first[key][1] - 1 <= ttl <= first[key][1] + 1
