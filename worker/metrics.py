"""Prometheus metrics for the whole deployment, served by every web process on /metrics.

Web processes count what they see (events received, acknowledgement latency) in their own
registry. Workers run in many processes on many hosts, so they count in Redis (one hash per
metric, incremented atomically) and the web process exports those totals together with gauges
read at scrape time: queue depths, the quota used in the current windows, dead letters,
athletes and activities by label. One scrape of any web process sees the whole cluster.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import redis
import requests
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

if TYPE_CHECKING:
    from worker.runtime import Runtime

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
        path = _ID.sub("/{id}", requests.utils.urlparse(response.url).path)
        field = f"{response.request.method} {path} {response.status_code}"
        self.client.hincrby(STRAVA_KEY, field, 1)


class ClusterCollector(Collector):
    """Reads the cluster-wide figures at scrape time."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Metric]:
        yield from self._worker_counters()
        yield from self._queues()
        yield from self._quota()
        yield from self._database()

    def _worker_counters(self) -> Iterator[Metric]:
        jobs = CounterMetricFamily("stridewise_jobs", "Jobs finished, by actor and outcome.",
                                   labels=["actor", "outcome"])
        for field, value in self.rt.redis.hgetall(JOBS_KEY).items():
            actor, outcome = field.decode().split(" ", 1)
            jobs.add_metric([actor, outcome], int(value))
        yield jobs
        strava = CounterMetricFamily("stridewise_strava_requests",
                                     "Strava requests, by method, endpoint and status.",
                                     labels=["method", "endpoint", "status"])
        for field, value in self.rt.redis.hgetall(STRAVA_KEY).items():
            method, endpoint, status = field.decode().split(" ", 2)
            strava.add_metric([method, endpoint, status], int(value))
        yield strava

    def _queues(self) -> Iterator[Metric]:
        from worker.admin import queue_depth
        from worker.queue import BACKFILL_QUEUE, LIVE_QUEUE

        depth = GaugeMetricFamily("stridewise_queue_depth", "Messages waiting, delayed included.",
                                  labels=["queue"])
        for queue in (LIVE_QUEUE, BACKFILL_QUEUE):
            depth.add_metric([queue], queue_depth(self.rt, queue))
        yield depth

    def _quota(self) -> Iterator[Metric]:
        usage = self.rt.budget.usage()
        used = GaugeMetricFamily("stridewise_strava_quota_used",
                                 "Strava requests counted in the current windows.",
                                 labels=["quota", "window"])
        limit = GaugeMetricFamily("stridewise_strava_quota_limit", "The quota of each window.",
                                  labels=["quota", "window"])
        for quota, window, value, cap in (
            ("overall", "short", usage.overall_short, usage.limits.overall_short),
            ("overall", "daily", usage.overall_daily, usage.limits.overall_daily),
            ("read", "short", usage.read_short, usage.limits.read_short),
            ("read", "daily", usage.read_daily, usage.limits.read_daily),
        ):
            used.add_metric([quota, window], value)
            limit.add_metric([quota, window], cap)
        yield used
        yield limit

    def _database(self) -> Iterator[Metric]:
        from worker.models import Activity, Athlete, InboxEvent

        with self.rt.db.session() as session:
            events = session.execute(select(InboxEvent.status, func.count())
                                     .group_by(InboxEvent.status)).all()
            athletes = session.execute(select(Athlete.status, func.count())
                                       .group_by(Athlete.status)).all()
            labels = session.execute(select(Activity.workout, func.count())
                                     .group_by(Activity.workout)).all()
        for name, help_text, label, rows in (
            ("stridewise_inbox_events", "Inbox events by status (dead = dead letters).",
             "status", events),
            ("stridewise_athletes", "Athletes by status.", "status", athletes),
            ("stridewise_activities", "Analysed activities by workout label.", "workout", labels),
        ):
            family = GaugeMetricFamily(name, help_text, labels=[label])
            for key, count in rows:
                family.add_metric([str(key)], int(count))
            yield family
