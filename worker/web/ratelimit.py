"""How often one client address may start a Strava sign-in: a token bucket per address.

Kept apart from worker.web.limits, which loads uvicorn: the web application itself must not.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

#: OAuth requests (a connect and its callback are two) one client address may send at once, and
#: the seconds in which one more is allowed again: a person connecting, and trying again a few
#: times, never meets the limit; a script trading forged codes meets it after ten.
OAUTH_BURST = 10
OAUTH_REFILL_S = 6.0
#: Client addresses remembered per process; past it the least recently seen is forgotten.
MAX_CLIENTS = 10_000


class ClientBuckets:
    """A token bucket per client address, in this process's memory.

    Each client starts with ``burst`` tokens and gets one back every ``refill_s`` seconds, up to
    ``burst``. Being in memory, the limit is per web process (each replica allows its own), and
    an attacker with more than ``max_clients`` addresses gets forgotten buckets back: it bounds
    what one address can do, which is what a per-client limit is for.
    """

    def __init__(self, burst: int, refill_s: float, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if burst < 1 or refill_s <= 0 or max_clients < 1:
            raise ValueError("a bucket needs burst >= 1, refill_s > 0 and max_clients >= 1")
        self.burst = burst
        self.refill_s = refill_s
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0 when it had one, else the seconds until it has."""
        now = self.clock()
        tokens, then = self._buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) / self.refill_s)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) * self.refill_s
        self._buckets[client] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait
