"""Prometheus metrics of the web process (the workers export theirs through dramatiq)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

#: One registry per process, so tests can build several apps without clashes.
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
