"""The shared Strava quota: windows, header corrections, 429s and competing processes."""

from __future__ import annotations

import threading

import pytest
import redis

from worker.budget import Budget, QuotaExhausted, across_resets
from worker.ratelimits import RateLimits, RateWindows

LIMITS = RateLimits(overall_short=10, overall_daily=40, read_short=6, read_daily=30)
WINDOWS = RateWindows(short=900, daily=86400)


class FrozenClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


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
    pool = redis_client.connection_pool
    wanted = ("host", "port", "db", "path")
    kwargs = {k: v for k, v in pool.connection_kwargs.items() if k in wanted}

    def own_connection() -> redis.Redis:
        return redis.Redis(connection_pool=redis.ConnectionPool(
            connection_class=pool.connection_class, **kwargs))

    budgets = [Budget(own_connection(), LIMITS, WINDOWS, clock) for _ in range(8)]
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


def test_a_lone_athlete_is_not_held_back_in_a_quiet_window(redis_client: redis.Redis) -> None:
    limits = RateLimits(overall_short=200, overall_daily=2000, read_short=100, read_daily=1000)
    budget = Budget(redis_client, limits, WINDOWS, FrozenClock(1_800_000_000 + 60))
    spent = 0
    with pytest.raises(QuotaExhausted):
        while True:
            budget.acquire("live", athlete_id=1)
            spent += 1
    assert spent == 80  # past their share (20) and half the window, up to LONE_SHARE


def test_one_athletes_flood_leaves_half_the_window_to_the_others(
    redis_client: redis.Redis,
) -> None:
    limits = RateLimits(overall_short=200, overall_daily=2000, read_short=100, read_daily=1000)
    clock = FrozenClock(1_800_000_000 + 60)
    budget = Budget(redis_client, limits, WINDOWS, clock)
    budget.acquire("live", count=2, athlete_id=2)  # another athlete is served this window
    flood = 0
    with pytest.raises(QuotaExhausted) as refused:
        while True:
            budget.acquire("live", count=2, athlete_id=1)
            flood += 2
    assert flood == limits.read_short // 2 - 2
    assert "share" in str(refused.value)
    assert refused.value.retry_at == clock.now - clock.now % WINDOWS.short + WINDOWS.short
    others = 2
    for athlete_id in range(3, 100):
        try:
            budget.acquire("live", count=2, athlete_id=athlete_id)
        except QuotaExhausted:
            break
        others += 2
    assert others == limits.read_short - flood


def test_requests_an_athlete_did_not_send_are_given_back_to_their_share(
    redis_client: redis.Redis,
) -> None:
    limits = RateLimits(overall_short=20, overall_daily=2000, read_short=10, read_daily=1000)
    budget = Budget(redis_client, limits, WINDOWS, FrozenClock(1_800_000_000 + 60))
    for _ in range(20):
        budget.acquire("live", count=2, athlete_id=1).close()  # nothing sent
    assert budget.usage().read_short == 0
    budget.acquire("live", count=5, athlete_id=1)
