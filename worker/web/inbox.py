"""Commits webhook events to the inbox in batches: one transaction for what arrived together.

Under load, events that arrive while a batch is being written wait for the next one, so the
web process pays one commit per batch instead of one per event; with no load a batch is one
event and nothing waits. An answer is given only after its event is committed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from worker.models import Athlete, InboxEvent, utcnow
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue
from worker.runtime import Runtime
from worker.sync import event_dedup_key

log = logging.getLogger(__name__)

#: Most events one transaction takes.
MAX_BATCH = 250


@dataclass
class _Pending:
    event: dict[str, Any]
    answer: asyncio.Future[str] = field(default_factory=lambda: asyncio.get_running_loop()
                                        .create_future())


class InboxWriter:
    """Accepts validated events and answers, per event, what became of it.

    Outcomes: "accepted" (committed and enqueued, or committed for the sweeper to enqueue),
    "duplicate" (Strava's retry of an event we have), "unknown_athlete" (dropped).
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._queue: asyncio.Queue[_Pending] | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def submit(self, event: dict[str, Any]) -> str:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            # First use, or a new event loop (a test client starts one per request).
            self._loop = loop
            self._queue = asyncio.Queue()
            self._task = loop.create_task(self._run(self._queue))
        assert self._queue is not None
        pending = _Pending(event)
        await self._queue.put(pending)
        return await pending.answer

    async def _run(self, queue: asyncio.Queue[_Pending]) -> None:
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < MAX_BATCH:
                batch.append(queue.get_nowait())
            try:
                outcomes = await asyncio.to_thread(self._write, [p.event for p in batch])
            except Exception as error:  # nothing committed: every waiter hears it
                for pending in batch:
                    if not pending.answer.done():
                        pending.answer.set_exception(error)
                continue
            for pending, outcome in zip(batch, outcomes, strict=True):
                if not pending.answer.done():
                    pending.answer.set_result(outcome)

    def _write(self, events: list[dict[str, Any]]) -> list[str]:
        keys = [event_dedup_key(e) for e in events]
        owners = {e["owner_id"] for e in events}
        now = utcnow()
        with self.rt.db.session() as session:
            known = set(session.scalars(select(Athlete.id).where(Athlete.id.in_(owners))))
            rows = {}
            for event, key in zip(events, keys, strict=True):
                if event["owner_id"] in known and key not in rows:
                    rows[key] = _row(event, key, now)
            inserted: dict[str, int] = {}
            if rows:
                statement = _insert(session.bind.dialect.name).values(list(rows.values()))
                statement = statement.on_conflict_do_nothing(index_elements=["dedup_key"])
                result = session.execute(
                    statement.returning(InboxEvent.dedup_key, InboxEvent.id))
                inserted = {key: event_id for key, event_id in result}
        self._enqueue(inserted.values())
        outcomes = []
        for event, key in zip(events, keys, strict=True):
            if event["owner_id"] not in known:
                log.info("event for unknown athlete dropped",
                         extra={"athlete_id": event["owner_id"]})
                outcomes.append("unknown_athlete")
            elif key in inserted:
                outcomes.append("accepted")
                del inserted[key]  # a second copy in the same batch is a duplicate
            else:
                outcomes.append("duplicate")
        return outcomes

    def _enqueue(self, event_ids: Any) -> None:
        for event_id in event_ids:
            try:
                enqueue(self.rt.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
            except Exception as error:  # the inbox holds the event; the sweeper enqueues it
                log.warning("enqueue failed, the sweeper will retry: %s", error,
                            extra={"event_id": event_id})


def _insert(dialect: str) -> Any:
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(InboxEvent)


def _row(event: dict[str, Any], key: str, now: Any) -> dict[str, Any]:
    return {
        "dedup_key": key,
        "object_type": event["object_type"],
        "aspect_type": event["aspect_type"],
        "object_id": event["object_id"],
        "owner_id": event["owner_id"],
        "event_time": event["event_time"],
        "updates": json.dumps(event["updates"], sort_keys=True),
        "received_at": now,
        "enqueued_at": now,
        "status": "pending",
        "attempts": 0,
    }
