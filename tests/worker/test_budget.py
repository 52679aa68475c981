"""The shared Strava quota: windows, header corrections, 429s and competing processes."""

from __future__ import annotations

import random
import threading

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.budget import (
    ATHLETE_DAILY_SHARE,
    WANTING_MAX_S,
    WANTING_SHARE,
    Budget,
    QuotaExhausted,
    across_resets,
)
from worker.ratelimits import RateLimits, RateWindows

LIMITS = RateLimits(overall_short=10, overall_daily=40, read_short=6, read_daily=30)
WINDOWS = RateWindows(short=900, daily=86400)


class FrozenClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def own_connection(client: redis.Redis) -> redis.Redis:
    """A client of the same server with a pool of its own, as another process has."""
    pool = client.connection_pool
    wanted = ("host", "port", "db", "path")
    kwargs = {k: v for k, v in pool.connection_kwargs.items() if k in wanted}
    return redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, **kwargs))


def spend(budget: Budget, priority: str = "live") -> int:
    sent = 0
    while True:
        try:
            budget.acquire(priority)
        except QuotaExhausted:
            return sent
        sent += 1


def test_short_window_spends_read_limit_then_reopens_at_the_quarter_hour(
    redis_client: redis.Redis,
) -> None:
    clock = FrozenClock(1_800_000_000 + 123)  # 123 s into a quarter hour
    budget = Budget(redis_client, LIMITS, WINDOWS, clock)
    assert spend(budget) == LIMITS.read_short
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live")
    window_start = clock.now - clock.now % WINDOWS.short
    assert refused.value.retry_at == window_start + WINDOWS.short
    clock.now = refused.value.retry_at
    budget.acquire("live")


def test_daily_window_outlasts_short_windows(redis_client: redis.Redis) -> None:
    clock = FrozenClock(86400 * 20_000)
    budget = Budget(redis_client, LIMITS, WINDOWS, clock)
    sent = 0
    for _ in range(10):
        sent += spend(budget)
        clock.now += WINDOWS.short
    assert sent == LIMITS.read_daily
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live")
    assert refused.value.retry_at == 86400 * 20_001


def test_backfill_leaves_a_share_of_every_window_to_live_uploads(
    redis_client: redis.Redis,
) -> None:
    budget = Budget(redis_client, LIMITS, WINDOWS, FrozenClock(1_800_000_000))
    background = spend(budget, "backfill")
    live = spend(budget, "live")
    assert 0 < background < LIMITS.read_short
    assert background + live == LIMITS.read_short


def test_usage_headers_raise_the_counters_to_what_strava_counted(
    redis_client: redis.Redis,
) -> None:
    budget = Budget(redis_client, LIMITS, WINDOWS, FrozenClock(1_800_000_000))
    budget.acquire("live")
    budget.observe({"X-RateLimit-Usage": "7,20", "X-ReadRateLimit-Usage": "5,12"})
    usage = budget.usage()
    assert (usage.overall_short, usage.overall_daily) == (7, 20)
    assert (usage.read_short, usage.read_daily) == (5, 12)
    assert spend(budget) == LIMITS.read_short - 5
    budget.observe({"X-RateLimit-Usage": "1,1", "X-ReadRateLimit-Usage": "garbage"})
    assert budget.usage().read_short == LIMITS.read_short  # lower or unreadable: ignored


def test_429_closes_the_budget_until_the_window_resets(redis_client: redis.Redis) -> None:
    clock = FrozenClock(1_800_000_000 + 10)
    budget = Budget(redis_client, LIMITS, WINDOWS, clock)
    budget.rate_limited()
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live")
    assert "429" in str(refused.value)
    assert refused.value.retry_at == clock.now - 10 + WINDOWS.short


def test_two_processes_competing_for_the_last_requests_never_overspend(
    redis_client: redis.Redis,
) -> None:
    clock = FrozenClock(1_800_000_000)
    budgets = [Budget(own_connection(redis_client), LIMITS, WINDOWS, clock) for _ in range(8)]
    granted: list[int] = []
    barrier = threading.Barrier(len(budgets))

    def compete(budget: Budget) -> None:
        barrier.wait()
        granted.append(spend(budget))

    threads = [threading.Thread(target=compete, args=(b,)) for b in budgets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == LIMITS.read_short


def test_a_reservation_of_two_is_all_or_nothing_and_returns_what_it_did_not_use(
    redis_client: redis.Redis,
) -> None:
    budget = Budget(redis_client, LIMITS, WINDOWS, FrozenClock(1_800_000_000))
    for _ in range(LIMITS.read_short - 1):
        budget.acquire("live")
    with pytest.raises(QuotaExhausted):
        budget.acquire("live", count=2)  # one left: a read without its write is not sent
    assert budget.usage().read_short == LIMITS.read_short - 1
    budget.observe({"X-ReadRateLimit-Usage": "0,0"})
    reservation = budget.acquire("live", count=1)
    assert reservation.spend() and not reservation.spend()
    redis_client.flushdb()
    reservation = budget.acquire("live", count=2)
    assert reservation.spend()
    reservation.close()
    assert budget.usage().read_short == 1


def test_nothing_is_reserved_in_the_last_moment_of_a_window(redis_client: redis.Redis) -> None:
    windows = RateWindows(short=10, daily=86400)
    clock = FrozenClock(1_800_000_000 + 9.95)
    budget = Budget(redis_client, LIMITS, windows, clock)
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live")
    assert refused.value.retry_at == 1_800_000_010
    clock.now = 1_800_000_010.0
    budget.acquire("live")


def test_a_write_sent_after_the_reset_is_counted_in_the_window_it_is_sent_in(
    redis_client: redis.Redis,
) -> None:
    windows = RateWindows(short=10, daily=86400)
    clock = FrozenClock(1_800_000_000 + 5.0)
    budget = Budget(redis_client, LIMITS, windows, clock)
    reservation = budget.acquire("live", count=2)  # the event's read and its write
    assert reservation.spend()  # the read, in the window that reserved it
    clock.now = 1_800_000_000 + 9.95  # the analysis ran until the window's last moment
    assert not reservation.spend()
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live")  # so the write waits for the next window
    assert refused.value.retry_at == 1_800_000_010
    clock.now = 1_800_000_010.5
    assert not reservation.spend()
    budget.acquire("live")
    assert budget.usage().read_short == 1  # the write, counted where Strava counts it


def test_a_command_waits_out_a_reset_seconds_away_but_not_a_spent_window() -> None:
    clock, slept, calls = FrozenClock(1_800_000_000.0), [], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    def work(refusals: list[float]) -> str:
        calls.append(clock.now)
        if refusals:
            raise QuotaExhausted("the short window is about to reset", refusals.pop(0))
        return "sent"

    soon = [clock.now + 0.4]
    assert across_resets(lambda: work(soon), clock=clock, sleep=sleep) == "sent"
    assert len(calls) == 2 and calls[1] >= calls[0] + 0.4
    slept.clear()
    spent = [clock.now + 600]
    with pytest.raises(QuotaExhausted):
        across_resets(lambda: work(spent), clock=clock, sleep=sleep)
    assert slept == []


def test_work_gives_way_in_order_as_the_day_runs_short(redis_client: redis.Redis) -> None:
    budget = Budget(redis_client, LIMITS, WINDOWS, FrozenClock(1_800_000_000))
    order = ("streams", "backfill", "live")
    given_way = []
    for used in range(LIMITS.read_daily + 1):
        budget.observe({"X-ReadRateLimit-Usage": f"0,{used}"})
        for priority in order:
            if priority not in given_way and not budget.allows(priority):
                given_way.append(priority)
    assert given_way == list(order)


QUOTA = RateLimits(overall_short=200, overall_daily=20_000, read_short=100, read_daily=10_000)
#: 60 s into a quarter hour, and the start of the next one (when refused work comes back).
START = 1_800_000_000 + 60
NEXT = 1_800_000_000 + WINDOWS.short


def take(budget: Budget, athlete_id: int, count: int = 2) -> bool:
    """One reservation for the athlete; False when it is refused."""
    try:
        budget.acquire("live", count=count, athlete_id=athlete_id)
    except QuotaExhausted:
        return False
    return True


def drain(budget: Budget, athlete_id: int, count: int = 2) -> int:
    """Reserve for the athlete until refused; returns how many requests were reserved."""
    taken = 0
    while take(budget, athlete_id, count):
        taken += count
    return taken


def test_a_lone_athletes_backlog_may_use_the_whole_window(redis_client: redis.Redis) -> None:
    budget = Budget(redis_client, QUOTA, WINDOWS, FrozenClock(START))
    assert drain(budget, 1) == QUOTA.read_short


def test_two_athletes_who_want_the_window_each_get_half_of_it(
    redis_client: redis.Redis,
) -> None:
    clock = FrozenClock(START)
    budget = Budget(redis_client, QUOTA, WINDOWS, clock)
    drain(budget, 1)
    assert not take(budget, 2)  # the window is spent: athlete 2 waits for the next one
    clock.now = NEXT
    taken = {1: 0, 2: 0}
    while True:
        granted = [athlete_id for athlete_id in (1, 2) if take(budget, athlete_id)]
        for athlete_id in granted:
            taken[athlete_id] += 2
        if not granted:
            break
    assert taken == {1: QUOTA.read_short // 2, 2: QUOTA.read_short // 2}


def test_an_athlete_past_their_share_comes_back_when_the_other_no_longer_wants_the_window(
    redis_client: redis.Redis,
) -> None:
    clock = FrozenClock(START)
    budget = Budget(redis_client, QUOTA, WINDOWS, clock)
    assert take(budget, 2)  # another athlete's upload, served
    spent = drain(budget, 1)
    assert spent == QUOTA.read_short // 2
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live", count=2, athlete_id=1)
    assert "share" in str(refused.value)
    assert refused.value.retry_at == START + min(WANTING_MAX_S, WINDOWS.short * WANTING_SHARE)
    clock.now = refused.value.retry_at + 0.001
    assert drain(budget, 1) == QUOTA.read_short - spent - 2  # all the rest of the window


def test_forged_creates_for_one_athlete_delay_another_athletes_upload_by_one_window_at_most(
    redis_client: redis.Redis,
) -> None:
    clock = FrozenClock(START)
    budget = Budget(redis_client, QUOTA, WINDOWS, clock)
    drain(budget, 1)  # the flood comes first and takes the whole window
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live", count=2, athlete_id=2)
    clock.now = refused.value.retry_at  # the next window: the flood's deferred events wake too
    assert clock.now == NEXT
    flood = drain(budget, 1)
    assert take(budget, 2)
    assert flood == QUOTA.read_short // 2


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(athletes=st.integers(min_value=2, max_value=6), count=st.sampled_from([1, 2]),
       order=st.randoms(use_true_random=False))
def test_every_athlete_who_keeps_asking_gets_their_share_less_than_one_reservation(
    redis_client: redis.Redis, athletes: int, count: int, order: random.Random,
) -> None:
    redis_client.flushdb()
    clock = FrozenClock(START)
    budget = Budget(redis_client, QUOTA, WINDOWS, clock)
    for athlete_id in range(athletes):  # last window: all of them asked, most were refused
        drain(budget, athlete_id, count)
    clock.now = NEXT
    taken = dict.fromkeys(range(athletes), 0)
    asking = list(range(athletes))
    while asking:
        athlete_id = order.choice(asking)
        if take(budget, athlete_id, count):
            taken[athlete_id] += count
        else:
            asking.remove(athlete_id)
    share = QUOTA.read_short // athletes
    assert all(share - count < got <= share for got in taken.values()), taken
    assert sum(taken.values()) <= QUOTA.read_short


def test_no_athlete_spends_more_than_their_share_of_the_day_even_alone(
    redis_client: redis.Redis,
) -> None:
    clock = FrozenClock(86400 * 20_000 + 60)
    budget = Budget(redis_client, QUOTA, WINDOWS, clock)
    spent = 0
    for _ in range(12):
        spent += drain(budget, 1)
        clock.now += WINDOWS.short
    assert spent == int(QUOTA.read_daily * ATHLETE_DAILY_SHARE)
    with pytest.raises(QuotaExhausted) as refused:
        budget.acquire("live", count=2, athlete_id=1)
    assert "today" in str(refused.value) and refused.value.retry_at == 86400 * 20_001
    assert take(budget, 2)  # everyone else still has the rest of the day
    clock.now = refused.value.retry_at
    assert take(budget, 1)


def test_athletes_competing_from_many_processes_never_overspend_the_window_or_a_share(
    redis_client: redis.Redis,
) -> None:
    clock = FrozenClock(START)
    budgets = [Budget(own_connection(redis_client), QUOTA, WINDOWS, clock) for _ in range(8)]
    for athlete_id in (1, 2):
        take(budgets[0], athlete_id)  # both want the window
    redis_client.delete(*redis_client.keys("stridewise:quota:*:short:*"))
    granted: dict[int, list[int]] = {1: [], 2: []}
    barrier = threading.Barrier(len(budgets))

    def compete(budget: Budget, athlete_id: int) -> None:
        barrier.wait()
        granted[athlete_id].append(drain(budget, athlete_id))

    threads = [threading.Thread(target=compete, args=(b, 1 + n % 2))
               for n, b in enumerate(budgets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [sum(granted[1]), sum(granted[2])] == [QUOTA.read_short // 2] * 2


def test_a_forgotten_athlete_leaves_no_quota_key_behind(redis_client: redis.Redis) -> None:
    budget = Budget(redis_client, QUOTA, WINDOWS, FrozenClock(START))
    take(budget, 1)
    take(budget, 22)
    budget.forget_athlete(1)
    remaining = b" ".join(redis_client.keys("stridewise:quota:athlete:*"))
    assert b"athlete:1:" not in remaining and b"athlete:22:" in remaining
    assert redis_client.zrange("stridewise:quota:wanting", 0, -1) == [b"22"]


def test_requests_an_athlete_did_not_send_are_given_back_to_their_share(
    redis_client: redis.Redis,
) -> None:
    limits = RateLimits(overall_short=20, overall_daily=2000, read_short=10, read_daily=1000)
    budget = Budget(redis_client, limits, WINDOWS, FrozenClock(1_800_000_000 + 60))
    for _ in range(20):
        budget.acquire("live", count=2, athlete_id=1).close()  # nothing sent
    assert budget.usage().read_short == 0
    shares = redis_client.mget(redis_client.keys("stridewise:quota:athlete:1:*"))
    assert len(shares) == 2 and all(int(value or 0) == 0 for value in shares)
    budget.acquire("live", count=5, athlete_id=1)
