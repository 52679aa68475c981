"""The counters of every process: a leaf that imports nothing of ours.

Web processes count what they see (events received, acknowledgement latency) in their own
registry. Workers run in many processes on many hosts, so they count in Redis (one hash per
metric, incremented atomically); the web process's monitoring (worker.web.cluster) exports
those totals with the gauges it reads at scrape time. A job's counts (its Strava requests and
what became of it) are sent together when it ends (:meth:`WorkerCounters.batch`): one round
trip to Redis per job.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import redis
import requests
from prometheus_client import CollectorRegistry, Counter, Histogram

#: Redis hashes the workers count in.
JOBS_KEY = "stridewise:metrics:jobs"
STRAVA_KEY = "stridewise:metrics:strava"
#: Longest a batch of counts (a job's, see WorkerCounters.batch) is held before it is sent.
BATCH_S = 5.0
#: Ids in Strava paths, replaced so endpoints aggregate: /activities/123 -> /activities/{id}.
_ID = re.compile(r"/\d+")

REGISTRY = CollectorRegistry(auto_describe=True)

EVENTS_RECEIVED = Counter(
    "stridewise_webhook_events_total",
    "Webhook events received, by object type, aspect type and what became of them.",
    ["object_type", "aspect_type", "outcome"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "stridewise_webhook_ack_seconds",
    "Time from receiving a webhook POST to answering it.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0),
    registry=REGISTRY,
)


class WorkerCounters:
    """What workers count, kept in Redis so every process and host adds to one total."""

    def __init__(self, client: redis.Redis, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        self._batches = threading.local()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Hold this thread's counts until the block ends, then send them in one pipeline (a
        job's: its Strava requests and its outcome); a long block sends what it holds every
        BATCH_S as well. They are sent if the block raises too; a process killed in the block
        loses what it holds."""
        if getattr(self._batches, "held", None) is not None:  # within a batch already
            yield
            return
        held: dict[tuple[str, str], int] = {}
        self._batches.held, self._batches.since = held, self.clock()
        try:
            yield
        except BaseException:
            self._batches.held = None
            with suppress(redis.RedisError):  # the block's own error is the one to raise
                self._send(held)
            raise
        self._batches.held = None
        self._send(held)

    def job(self, actor: str, outcome: str) -> None:
        self._count(JOBS_KEY, f"{actor} {outcome}")

    def strava_response(self, response: requests.Response, *_: object, **__: object) -> None:
        """A requests response hook: one count per Strava request, by endpoint and status."""
        path = _ID.sub("/{id}", urlsplit(response.url).path)
        self._count(STRAVA_KEY, f"{response.request.method} {path} {response.status_code}")

    def _count(self, key: str, field: str) -> None:
        held: dict[tuple[str, str], int] | None = getattr(self._batches, "held", None)
        if held is None:
            self.client.hincrby(key, field, 1)
        else:
            held[key, field] = held.get((key, field), 0) + 1
            if self.clock() - self._batches.since >= BATCH_S:
                self._send(held)
                held.clear()
                self._batches.since = self.clock()

    def _send(self, held: dict[tuple[str, str], int]) -> None:
        if not held:
            return
        with self.client.pipeline(transaction=False) as pipe:
            for (key, field), count in held.items():
                pipe.hincrby(key, field, count)
            pipe.execute()
