"""Cluster-wide figures for /metrics, read at scrape time by the web process.

What workers counted in Redis (worker.metrics), queue depths, the quota used in the current
windows, inbox events by status (dead letters included) and athletes: one
scrape of any web process sees the whole cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from worker.metrics import JOBS_KEY, STRAVA_KEY
from worker.models import Athlete
from worker.queue import BACKFILL_QUEUE, LIVE_QUEUE, queue_depth
from worker.runtime import Runtime


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
            actor, outcome = _text(field).split(" ", 1)
            jobs.add_metric([actor, outcome], int(value))
        yield jobs
        strava = CounterMetricFamily("stridewise_strava_requests",
                                     "Strava requests, by method, endpoint and status.",
                                     labels=["method", "endpoint", "status"])
        for field, value in self.rt.redis.hgetall(STRAVA_KEY).items():
            method, endpoint, status = _text(field).split(" ", 2)
            strava.add_metric([method, endpoint, status], int(value))
        yield strava

    def _queues(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("stridewise_queue_depth", "Messages waiting, delayed included.",
                                  labels=["queue"])
        for queue in (LIVE_QUEUE, BACKFILL_QUEUE):
            depth.add_metric([queue], queue_depth(self.rt.redis, queue))
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
        events = list(self.rt.inbox.counts().items())
        jobs = list(self.rt.jobs.counts().items())
        with self.rt.db.read() as session:
            athletes = session.execute(select(Athlete.status, func.count())
                                       .group_by(Athlete.status)).all()
        for name, help_text, label, rows in (
            ("stridewise_inbox_events", "Inbox events by status (dead = dead letters).",
             "status", events),
            ("stridewise_stranded_jobs", "Backfill and streams jobs not sent yet (unsent) or "
             "failed for good (dead).", "status", jobs),
            ("stridewise_athletes", "Athletes by status.", "status", athletes),
        ):
            family = GaugeMetricFamily(name, help_text, labels=[label])
            for key, count in rows:
                family.add_metric([str(key)], int(count))
            yield family


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
