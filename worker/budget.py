"""The application's Strava quota, shared by every process on every host through Redis.

This is the only module that knows the quota's Redis keys. A request is reserved here before it
is sent (:meth:`Budget.acquire`), in windows aligned with Strava's (quarter hours and UTC days,
or whatever STRAVA_RATE_WINDOWS says). The usage headers of Strava's answers are the truth, so
:meth:`Budget.observe` raises our counters to them; a 429 closes the budget until the window
resets. Nobody sleeps here: a caller that gets :class:`QuotaExhausted` learns when to come back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import redis

from worker.outcomes import Wait
from worker.ratelimits import RateLimits, RateWindows

#: Redis key prefix of every quota counter.
PREFIX = "stridewise:quota"
#: Seconds a counter outlives its window, so a late correction still finds it.
KEY_GRACE_S = 60
#: Near a window's end a reservation could reach Strava after the reset and count in the next
#: window, which we have not charged: refuse in the last 1 % of a short window (at most 1 s).
EDGE_SHARE = 0.01
EDGE_MAX_S = 1.0
#: Longest an interactive caller waits for a reset rather than give up (see across_resets).
SHORT_WAIT_S = 5.0

T = TypeVar("T")

#: Share of the short and of the daily limits each priority may spend. Live uploads may use all
#: of both; backfill keeps 30 % of every short window free for live traffic. As the day runs
#: short the work degrades in order: optional streams stop at 70 % of the daily quota, backfill
#: at 85 %, and live work only when the day is spent.
PRIORITIES: dict[str, tuple[float, float]] = {
    "live": (1.0, 1.0),
    "streams": (1.0, 0.70),
    "backfill": (0.70, 0.85),
    "backfill-streams": (0.70, 0.70),
}
#: The class a job's optional streams reads are counted in, by the job's own class.
STREAMS_OF = {"live": "streams", "backfill": "backfill-streams"}


def streams_class(priority: str) -> str:
    """The budget class of the streams reads of work at ``priority``."""
    return STREAMS_OF.get(priority, priority)


#: While another athlete wants the short window, each of the N athletes who want it may take
#: 1/N of its reads (at least one reservation); an athlete nobody competes with may take it
#: all. An athlete wants the window for a while after each reservation (their next request,
#: streams say, comes within it) and, once refused, until that while after the window they
#: were told to come back in: a fifth of a short window, at most 30 s, time enough for deferred
#: jobs to come back. A flood of one athlete's events (forged ones included) takes a window
#: nobody else asked for, and from the next one on leaves every other athlete their share.
WANTING_SHARE = 0.2
WANTING_MAX_S = 30.0
#: Share of the daily read limit that one athlete's live work may spend, whoever else wants it:
#: a tenth is about 40 uploads a day at the default quota, and a flood of one athlete's
#: settings saves or forged events leaves nine tenths of the day to everyone else.
ATHLETE_DAILY_SHARE = 0.1

_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
local count = tonumber(ARGV[7])
local athlete = #KEYS == 8
local counters = athlete and 7 or 5
local held = redis.call('MGET', unpack(KEYS, 2, counters))
local function used(i) return tonumber(held[i - 1] or '0') end
local mine = false
local function wants(until_s)
  if tonumber(mine or '0') < until_s then redis.call('ZADD', KEYS[8], until_s, ARGV[9]) end
  redis.call('EXPIRE', KEYS[8], ARGV[5])
end
if athlete then
  if used(7) + count > tonumber(ARGV[11]) then
    return {6}
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', ARGV[8])
  local others = redis.call('ZCARD', KEYS[8])
  mine = redis.call('ZSCORE', KEYS[8], ARGV[9])
  if mine then others = others - 1 end
  if others > 0 then
    local share = math.max(count, math.floor(tonumber(ARGV[10]) / (others + 1)))
    if used(6) + count > share then
      wants(tonumber(ARGV[13]))
      local first = redis.call('ZRANGE', KEYS[8], 0, 1, 'WITHSCORES')
      if first[1] == ARGV[9] then return {5, first[4]} end
      return {5, first[2]}
    end
  end
end
for i = 2, 5 do
  if used(i) + count > tonumber(ARGV[i - 1]) then
    if athlete and i % 2 == 0 then wants(tonumber(ARGV[13])) end
    return {i - 1}
  end
end
for i = 2, counters do
  if redis.call('INCRBY', KEYS[i], count) == count then
    redis.call('EXPIRE', KEYS[i], ARGV[4 + (i % 2) + 1])
  end
end
if athlete then wants(tonumber(ARGV[12])) end
return {0}
"""
# One MGET reads every counter, and the athlete's place among those who want the window is
# read once. A counter's time to live is set when it starts from nothing (the window's length
# and KEY_GRACE_S, so it outlives its window; _OBSERVE's corrections set it too): a
# reservation sends no EXPIRE for counters that already count.
# KEYS: closed, overall short, overall daily, read short, read daily[, the athlete's short, the
# athlete's daily, the athletes who want the short window (a sorted set: until when)].
# ARGV: the four limits, the short ttl (i even -> ARGV[5]), the daily ttl (ARGV[6]), the count
# [, now, the athlete, the read short limit, the athlete's daily share, until when a granted
# athlete wants the window, and until when a refused one does].
# Returns {0} granted, {-1} closed, {1..4} the limit that refused, {5, until when the nearest
# other athlete wants the window} past the athlete's share, {6} past their daily share.

_RELEASE = """
local held = redis.call('MGET', unpack(KEYS))
for i = 1, #KEYS do
  if tonumber(held[i] or '0') >= tonumber(ARGV[1]) then
    redis.call('DECRBY', KEYS[i], ARGV[1])
  end
end
return 0
"""
# KEYS: the counters of the window the reservation was made in. ARGV: the count.

_OBSERVE = """
local held = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
for i = 1, 4 do
  local seen = tonumber(ARGV[i])
  if seen and seen > tonumber(held[i] or '0') then
    redis.call('SET', KEYS[i], seen, 'EX', ARGV[5 + ((i + 1) % 2)])
  end
end
return 0
"""
# KEYS: overall short, overall daily, read short, read daily. ARGV: the four usages, short ttl,
# daily ttl (i odd -> ARGV[5], i even -> ARGV[6]).


class Reservation:
    """Requests reserved in one window; :meth:`spend` uses them while that window lasts,
    :meth:`close` returns the rest.

    A job reserves its read and its write together but sends the write after the analysis. A
    write sent after the window's reset counts in a window that never charged it, so from the
    edge of the window on (see EDGE_SHARE) the reservation is spent: the write then reserves
    in the window it is sent in, like any request, or waits for it.
    """

    def __init__(self, budget: Budget, keys: list[str], count: int, until: float) -> None:
        self.budget = budget
        self.keys = keys
        self.left = count
        self.until = until

    def spend(self) -> bool:
        """Use one reserved request; False when none is left or its window is ending."""
        if self.left <= 0 or self.budget.clock() >= self.until:
            return False
        self.left -= 1
        return True

    def close(self) -> None:
        self.budget.release(self.keys, self.left)
        self.left = 0


class QuotaExhausted(Wait):
    """No request may be sent now; ``retry_at`` (epoch seconds) is when the window reopens."""

    def __init__(self, reason: str, retry_at: float) -> None:
        super().__init__(f"Strava quota: {reason}; reopens at {retry_at:.0f}")
        self.reason = reason
        self.retry_at = retry_at


@dataclass(frozen=True)
class Usage:
    """Requests counted in the current windows, with their limits."""

    overall_short: int
    overall_daily: int
    read_short: int
    read_daily: int
    limits: RateLimits
    short_resets_at: float
    daily_resets_at: float
    closed_until: float | None


class Budget:
    """Reserve, correct and report the shared Strava quota.

    Parameters
    ----------
    client:
        The Redis every process shares.
    limits, windows:
        STRAVA_RATE_LIMITS and STRAVA_RATE_WINDOWS.
    clock:
        Epoch seconds; tests freeze it.
    """

    def __init__(
        self,
        client: redis.Redis,
        limits: RateLimits,
        windows: RateWindows,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.limits = limits
        self.windows = windows
        self.clock = clock
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._observe = client.register_script(_OBSERVE)

    def acquire(self, priority: str = "live", count: int = 1,
                athlete_id: int | None = None) -> Reservation:
        """Reserve ``count`` requests at ``priority``, or raise :class:`QuotaExhausted`.

        A job that knows it will send a read and a write reserves both at once, so a window
        never closes between them and wastes the read. Work done for ``athlete_id`` also counts
        against that athlete's shares: of the short window while others want it, and of the
        day (see WANTING_SHARE and ATHLETE_DAILY_SHARE).
        """
        short_share, daily_share = PRIORITIES[priority]
        now = self.clock()
        window_end = self._next(now, 0)
        edge = window_end - min(EDGE_MAX_S, self.windows.short * EDGE_SHARE)
        if now >= edge:
            raise QuotaExhausted("the short window is about to reset", window_end)
        limits = self.limits
        caps = [
            int(limits.overall_short * short_share),
            int(limits.overall_daily * daily_share),
            int(limits.read_short * short_share),
            int(limits.read_daily * daily_share),
        ]
        counters = self._keys(now)
        wanting: list[str] = []
        shares: list[float] = []
        if athlete_id is not None:
            counters += self._athlete_keys(now, athlete_id)
            wanting = [self._wanting_key()]
            hold = self._wanting_s()
            shares = [now, athlete_id, limits.read_short,
                      max(count, int(limits.read_daily * ATHLETE_DAILY_SHARE)),
                      now + hold, window_end + hold]
        result = [item.decode() if isinstance(item, bytes) else item for item in self._acquire(
            keys=[self._closed_key(), *counters, *wanting],
            args=[*caps, *self._ttls(), count, *shares],
        )]
        code = int(result[0])
        if code == 0:
            return Reservation(self, counters, count, until=min(edge, self._next(now, 1)))
        if code == -1:
            reason = self.closed_reason() or "closed"
            raise QuotaExhausted(reason, self._closed_until() or self._next(now, 0))
        if code == 5:
            raise QuotaExhausted(f"athlete {athlete_id} has had their share of a window "
                                 "other athletes want", min(window_end, float(result[1])))
        if code == 6:
            raise QuotaExhausted(f"athlete {athlete_id} has had their share of today's quota",
                                 self._next(now, 1))
        window = "short" if code in (1, 3) else "daily"
        quota = "overall" if code in (1, 2) else "read"
        retry_at = self._next(now, 0 if window == "short" else 1)
        raise QuotaExhausted(f"{quota} {window} window spent for {priority} work", retry_at)

    def short_window_left(self) -> float:
        """Seconds until the short window resets."""
        now = self.clock()
        return self._next(now, 0) - now

    def allows(self, priority: str, usage: Usage | None = None) -> bool:
        """Whether a request at ``priority`` would be reserved now (nothing is reserved)."""
        usage = usage or self.usage()
        if usage.closed_until:
            return False
        short_share, daily_share = PRIORITIES[priority]
        limits = self.limits
        return (usage.overall_short < int(limits.overall_short * short_share)
                and usage.read_short < int(limits.read_short * short_share)
                and usage.overall_daily < int(limits.overall_daily * daily_share)
                and usage.read_daily < int(limits.read_daily * daily_share))

    def release(self, keys: list[str], count: int) -> None:
        """Give back reserved requests that were never sent."""
        if count > 0:
            self._release(keys=keys, args=[count])

    def observe(self, headers: Mapping[str, str]) -> None:
        """Raise our counters to the usage Strava reports (other callers count too)."""
        overall = _pair(headers.get("X-RateLimit-Usage"))
        read = _pair(headers.get("X-ReadRateLimit-Usage"))
        if overall is None and read is None:
            return
        seen = [*(overall or ("", "")), *(read or ("", ""))]
        self._observe(keys=self._keys(self.clock()), args=[*seen, *self._ttls()])

    def rate_limited(self) -> None:
        """Strava said 429: send nothing more until the window resets."""
        now = self.clock()
        usage = self.usage()
        daily_spent = (usage.overall_daily >= self.limits.overall_daily
                       or usage.read_daily >= self.limits.read_daily)
        reopen = self._next(now, 1 if daily_spent else 0)
        self._close(reopen, "Strava answered 429 (rate limit exceeded)")

    def pause(self, seconds: float, reason: str) -> None:
        """Send nothing for ``seconds``, e.g. while Strava says the application is inactive."""
        self._close(self.clock() + seconds, reason)

    def _close(self, until: float, reason: str) -> None:
        ttl = max(1, int(until - self.clock()) + 1)
        self.client.set(self._closed_key(), f"{until:.3f}", ex=ttl)
        self.client.set(self._closed_key() + ":reason", reason, ex=ttl)

    def closed_reason(self) -> str | None:
        value: Any = self.client.get(self._closed_key() + ":reason")
        return value.decode() if isinstance(value, bytes) else value

    def usage(self) -> Usage:
        now = self.clock()
        values = self.client.mget(self._keys(now))
        overall_short, overall_daily, read_short, read_daily = (int(v or 0) for v in values)
        return Usage(
            overall_short, overall_daily, read_short, read_daily,
            limits=self.limits,
            short_resets_at=self._next(now, 0),
            daily_resets_at=self._next(now, 1),
            closed_until=self._closed_until(),
        )

    def forget_athlete(self, athlete_id: int) -> None:
        """Delete the athlete's share counters and their place among the athletes who want the
        window (a deleted athlete leaves nothing keyed by them)."""
        with self.client.pipeline() as pipe:
            pipe.delete(*self._athlete_keys(self.clock(), athlete_id))
            pipe.zrem(self._wanting_key(), athlete_id)
            pipe.execute()

    def _keys(self, now: float) -> list[str]:
        short = int(now // self.windows.short)
        daily = int(now // self.windows.daily)
        return [
            f"{PREFIX}:overall:short:{self.windows.short}:{short}",
            f"{PREFIX}:overall:daily:{self.windows.daily}:{daily}",
            f"{PREFIX}:read:short:{self.windows.short}:{short}",
            f"{PREFIX}:read:daily:{self.windows.daily}:{daily}",
        ]

    def _athlete_keys(self, now: float, athlete_id: int) -> list[str]:
        short = int(now // self.windows.short)
        daily = int(now // self.windows.daily)
        return [f"{PREFIX}:athlete:{athlete_id}:short:{self.windows.short}:{short}",
                f"{PREFIX}:athlete:{athlete_id}:daily:{self.windows.daily}:{daily}"]

    def _wanting_key(self) -> str:
        return f"{PREFIX}:wanting"

    def _wanting_s(self) -> float:
        return min(WANTING_MAX_S, self.windows.short * WANTING_SHARE)

    def _ttls(self) -> list[int]:
        return [self.windows.short + KEY_GRACE_S, self.windows.daily + KEY_GRACE_S]

    def _closed_key(self) -> str:
        return f"{PREFIX}:closed"

    def _closed_until(self) -> float | None:
        value: Any = self.client.get(self._closed_key())
        return float(value) if value is not None else None

    def _next(self, now: float, which: int) -> float:
        length = self.windows.short if which == 0 else self.windows.daily
        return (now // length + 1) * length


def _pair(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return parts[0], parts[1]


def across_resets(work: Callable[[], T], longest_wait_s: float = SHORT_WAIT_S,
                  clock: Callable[[], float] = time.time,
                  sleep: Callable[[float], object] = time.sleep) -> T:
    """Run ``work`` for a caller a person waits on (a command, a test): when the budget refuses
    only until a reset a few seconds away (the last second of every window), wait for the reset
    and run ``work`` again. A longer refusal is raised. Workers never call this: their jobs are
    delayed to the reset instead, and a worker thread never sleeps on the quota.
    """
    while True:
        try:
            return work()
        except QuotaExhausted as refused:
            wait = refused.retry_at - clock()
            if wait > longest_wait_s:
                raise
            sleep(max(0.0, wait) + 0.05)
