"""A deleted athlete's jobs leave Redis, whichever actor they are for: a leaving athlete's block
removal too (issue 23)."""

from __future__ import annotations

from typing import Any

import dramatiq

from worker.jobs import unqueue
from worker.queue import BACKFILL, BACKFILL_QUEUE, BACKFILL_STREAMS, REMOVE_BLOCKS, enqueue
from worker.runtime import Runtime

GONE, STAYS = 2311, 2312
JOBS = {BACKFILL, BACKFILL_STREAMS, REMOVE_BLOCKS}


def messages_of(rt: Runtime, athletes: set[int]) -> list[tuple[str, list[Any]]]:
    """The job messages dramatiq holds in Redis for ``athletes``, waiting, delayed or dead."""
    found = []
    for key in rt.redis.scan_iter("stridewise:*.msgs"):
        for data in rt.redis.hvals(key):
            message = dramatiq.Message.decode(data)
            if message.actor_name in JOBS and message.args and \
                    message.args[0] in athletes:
                found.append((message.actor_name, list(message.args)))
    return sorted(found)


def test_a_deleted_athletes_block_removal_is_unqueued_with_their_other_jobs(
    runtime: Runtime,
) -> None:
    for athlete in (GONE, STAYS):
        enqueue(runtime.broker, REMOVE_BLOCKS, BACKFILL_QUEUE, athlete)
    enqueue(runtime.broker, REMOVE_BLOCKS, BACKFILL_QUEUE, GONE, delay_ms=600_000)
    enqueue(runtime.broker, BACKFILL, BACKFILL_QUEUE, GONE)
    enqueue(runtime.broker, BACKFILL_STREAMS, BACKFILL_QUEUE, GONE, delay_ms=600_000)
    queued = messages_of(runtime, {GONE})
    assert queued.count((REMOVE_BLOCKS, [GONE])) == 2

    assert unqueue(runtime.redis, GONE, ()) == len(queued)

    assert messages_of(runtime, {GONE}) == []
    assert messages_of(runtime, {STAYS}) == [(REMOVE_BLOCKS, [STAYS])]
    for queue in ("backfill", "backfill.DQ"):
        ids = runtime.redis.lrange(f"stridewise:{queue}", 0, -1)
        assert all(runtime.redis.hexists(f"stridewise:{queue}.msgs", i) for i in ids), queue
