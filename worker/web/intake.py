"""Records webhook events in the inbox in batches, and nudges the workers once they are safe.

Two stages run one after the other for each event, concurrently across events:

1. commit: events that arrived together are written in one transaction. Under load, events that
   arrive while a batch is being written wait for the next one, so the web process pays one
   commit per batch instead of one per event; with no load a batch is one event and nothing
   waits. An event's answer is given as soon as its batch is committed: from then on the
   database holds it, and nothing can lose it.
2. enqueue: committed events are put on the live queue, in batches too, after their answers.
   Redis is transport: if this stage fails (Redis down, the process killed) the sweeper enqueues
   the event later, so Strava never waits on Redis.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from worker.inbox import Recorded
from worker.models import Athlete, PushSubscription
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue
from worker.runtime import Runtime

log = logging.getLogger(__name__)

#: Most events one transaction, or one round of enqueues, takes.
MAX_BATCH = 250
#: Longest a shutdown waits for the stages to finish what they hold.
CLOSE_TIMEOUT_S = 10.0


@dataclass
class _Pending:
    event: dict[str, Any]
    answer: asyncio.Future[Recorded] = field(default_factory=lambda: asyncio.get_running_loop()
                                        .create_future())


@dataclass
class _Stages:
    """The two queues of one event loop and the tasks that drain them."""

    loop: asyncio.AbstractEventLoop
    commits: asyncio.Queue[_Pending] = field(default_factory=asyncio.Queue)
    nudges: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def alive(self) -> bool:
        return self.loop is asyncio.get_running_loop() and not any(t.done() for t in self.tasks)


class InboxWriter:
    """Accepts validated events and answers, per event, what became of it.

    Outcomes are :class:`worker.inbox.Recorded`: accepted ones are enqueued right after the
    answer, or by the sweeper.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._stages: _Stages | None = None

    async def submit(self, event: dict[str, Any]) -> Recorded:
        pending = _Pending(event)
        self._running().commits.put_nowait(pending)
        return await pending.answer

    async def warm_up(self) -> None:
        """Open the connections and prepare the statements the first events would otherwise
        pay for, so the first seconds after a deploy answer as fast as the rest."""
        self._running()
        await asyncio.to_thread(self._warm_up)

    async def close(self) -> None:
        """Commit what is waiting and enqueue what is committed, then stop the stages."""
        stages = self._stages
        if stages is None or not stages.alive():
            return
        try:
            await asyncio.wait_for(_drain(stages), CLOSE_TIMEOUT_S)
        except TimeoutError:  # what is committed and not enqueued, the sweeper enqueues
            log.warning("inbox stages not drained within %s s at shutdown", CLOSE_TIMEOUT_S)
        for task in stages.tasks:
            task.cancel()
        await asyncio.gather(*stages.tasks, return_exceptions=True)
        self._stages = None

    def _running(self) -> _Stages:
        if self._stages is None or not self._stages.alive():
            # First use, or a new event loop (a test client without its lifespan starts one
            # per request): whatever the old loop left committed, the sweeper enqueues.
            stages = _Stages(asyncio.get_running_loop())
            stages.tasks = [stages.loop.create_task(self._commit_stage(stages)),
                            stages.loop.create_task(self._enqueue_stage(stages))]
            self._stages = stages
        return self._stages

    async def _commit_stage(self, stages: _Stages) -> None:
        while True:
            batch = await _take_batch(stages.commits)
            try:
                outcomes, event_ids = await asyncio.to_thread(
                    self.rt.inbox.record, [p.event for p in batch])
            except Exception as error:  # nothing committed: every waiter hears it
                for pending in batch:
                    if not pending.answer.done():
                        pending.answer.set_exception(error)
            else:
                for pending, outcome in zip(batch, outcomes, strict=True):
                    if not pending.answer.done():
                        pending.answer.set_result(outcome)
                for event_id in event_ids:
                    stages.nudges.put_nowait(event_id)
            finally:
                for _ in batch:
                    stages.commits.task_done()

    async def _enqueue_stage(self, stages: _Stages) -> None:
        while True:
            event_ids = await _take_batch(stages.nudges)
            try:
                await asyncio.to_thread(self._enqueue, event_ids)
            finally:
                for _ in event_ids:
                    stages.nudges.task_done()

    def _enqueue(self, event_ids: Iterable[int]) -> None:
        for event_id in event_ids:
            try:
                enqueue(self.rt.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
            except Exception as error:  # the inbox holds the event; the sweeper enqueues it
                log.warning("enqueue failed, the sweeper will retry: %s", error,
                            extra={"event_id": event_id})

    def _warm_up(self) -> None:
        try:
            with self.rt.db.engine.connect() as connection:
                connection.scalars(select(Athlete.id).where(Athlete.id.in_([0])))
                connection.scalar(select(PushSubscription.id).limit(1))
            self.rt.redis.ping()
        except Exception as error:  # a dependency that is down now may be up for the first event
            log.warning("web warm-up incomplete: %s", error)


async def _drain(stages: _Stages) -> None:
    await stages.commits.join()
    await stages.nudges.join()


async def _take_batch(queue: asyncio.Queue[Any]) -> list[Any]:
    """What is waiting in ``queue``, at least one item and at most MAX_BATCH."""
    batch = [await queue.get()]
    while not queue.empty() and len(batch) < MAX_BATCH:
        batch.append(queue.get_nowait())
    return batch
