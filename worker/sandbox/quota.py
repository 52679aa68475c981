"""Strava's application rate limits: two windows, overall and read, every request counted.

Strava counts every request, the rejected ones included (developers.strava.com/docs/
rate-limits): a client that keeps retrying a 401 or a 429 burns its own quota here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from worker.ratelimits import RateLimits, RateWindows


@dataclass(frozen=True)
class Usage:
    overall_short: int
    overall_daily: int
    read_short: int
    read_daily: int

    def exceeds(self, quota: RateLimits, counts_as_read: bool) -> bool:
        if self.overall_short > quota.overall_short or self.overall_daily > quota.overall_daily:
            return True
        return counts_as_read and (
            self.read_short > quota.read_short or self.read_daily > quota.read_daily)

    def as_json(self) -> dict[str, list[int]]:
        return {"overall": [self.overall_short, self.overall_daily],
                "read": [self.read_short, self.read_daily]}


class RateLimiter:
    """Counts requests in epoch-aligned windows and says when an application is over quota."""

    def __init__(self, quota: RateLimits, windows: RateWindows) -> None:
        self.quota = quota
        self.windows = windows
        self._counts: dict[tuple[str, str], tuple[int, int]] = {}

    def hit(self, now: float, counts_as_read: bool) -> tuple[bool, Usage]:
        """Count one request at ``now``.

        Returns
        -------
        (allowed, usage)
            ``allowed`` is False when this request took the application past a limit.
        """
        self._bump("overall", now)
        if counts_as_read:
            self._bump("read", now)
        usage = self.usage(now)
        return not usage.exceeds(self.quota, counts_as_read), usage

    def usage(self, now: float) -> Usage:
        return Usage(self._count("overall", "short", now), self._count("overall", "daily", now),
                     self._count("read", "short", now), self._count("read", "daily", now))

    def headers(self, usage: Usage) -> dict[str, str]:
        """Strava's four rate-limit headers."""
        q = self.quota
        return {
            "X-RateLimit-Limit": f"{q.overall_short},{q.overall_daily}",
            "X-RateLimit-Usage": f"{usage.overall_short},{usage.overall_daily}",
            "X-ReadRateLimit-Limit": f"{q.read_short},{q.read_daily}",
            "X-ReadRateLimit-Usage": f"{usage.read_short},{usage.read_daily}",
        }

    def reset(self) -> None:
        self._counts.clear()

    def _window(self, window: str, now: float) -> int:
        length = self.windows.short if window == "short" else self.windows.daily
        return int(now // length)

    def _count(self, kind: str, window: str, now: float) -> int:
        index, count = self._counts.get((kind, window), (-1, 0))
        return count if index == self._window(window, now) else 0

    def _bump(self, kind: str, now: float) -> None:
        for window in ("short", "daily"):
            self._counts[(kind, window)] = (
                self._window(window, now), self._count(kind, window, now) + 1)


def counts_as_read(method: str, path: str) -> bool:
    """Everything but an upload counts against the read limit as well as the overall one."""
    return not (method == "POST" and path.rstrip("/").endswith("/uploads"))
