"""The counters of every process: a leaf that imports nothing of ours.

Web processes count what they see (events received, acknowledgement latency) in their own
registry. Workers run in many processes on many hosts, so they count in Redis (one hash per
metric, incremented atomically); the web process's monitoring (worker.web.cluster) exports
those totals with the gauges it reads at scrape time.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import redis
import requests
from prometheus_client import CollectorRegistry, Counter, Histogram

#: Redis hashes the workers count in.
JOBS_KEY = "stridewise:metrics:jobs"
STRAVA_KEY = "stridewise:metrics:strava"
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

    def __init__(self, client: redis.Redis) -> None:
        self.client = client

    def job(self, actor: str, outcome: str) -> None:
        self.client.hincrby(JOBS_KEY, f"{actor} {outcome}", 1)

    def strava_response(self, response: requests.Response, *_: object, **__: object) -> None:
        """A requests response hook: one count per Strava request, by endpoint and status."""
        path = _ID.sub("/{id}", urlsplit(response.url).path)
        field = f"{response.request.method} {path} {response.status_code}"
        self.client.hincrby(STRAVA_KEY, field, 1)
