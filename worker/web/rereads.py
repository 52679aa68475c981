"""Blocks the athlete's pages ask the worker to write again, and how often they may ask.

A settings save or a label correction asks for one activity's block again through the inbox,
as a webhook update would: the worker reads the activity (one request) and writes only if the
block changed (one more). Each ask costs quota, so an athlete's asks are limited (a token bucket
per athlete) and coalesced: while a re-read of the same activity waits, not yet started, it
will read the latest settings and label anyway, and nothing more is recorded.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from enum import StrEnum

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from worker.inbox import EventStatus, Recorded
from worker.models import InboxEvent
from worker.runtime import Runtime
from worker.web.intake import InboxWriter
from worker.web.ratelimit import ClientBuckets

log = logging.getLogger(__name__)

#: Saves (settings or labels) one athlete may send at once, and the seconds after which one
#: more is allowed: a person trying settings out, or correcting a week of labels, never meets
#: it; a script meets it after six, and then costs at most two requests a minute.
SAVES_BURST = 6
SAVE_REFILL_S = 30.0
#: The key of ``updates`` that marks an event as asked for by the athlete's pages.
PAGE_KEY = "stridewise_page"


class Asked(StrEnum):
    RECORDED = "recorded"  # a new re-read is in the inbox
    COALESCED = "coalesced"  # one was already waiting: it will see this save too
    NOT_RECORDED = "not recorded"  # the inbox refused it (the athlete is gone, say)


class Rereads:
    """The athlete's pages' way to have a block written again."""

    def __init__(self, rt: Runtime, inbox: InboxWriter) -> None:
        self.rt = rt
        self.inbox = inbox
        self.saves = ClientBuckets(SAVES_BURST, SAVE_REFILL_S)

    def wait(self, athlete_id: int) -> float:
        """Take one save of the athlete's allowance: 0 when they had one, else the seconds
        until they have."""
        return self.saves.take(f"athlete:{athlete_id}")

    async def ask(self, athlete_id: int, activity_id: int, why: str) -> Asked:
        """Have the worker read the activity and write its block again, unless a re-read of it
        is already waiting."""
        if await run_in_threadpool(self.waiting, athlete_id, activity_id):
            return Asked.COALESCED
        event = {"object_type": "activity", "aspect_type": "update", "object_id": activity_id,
                 "owner_id": athlete_id, "event_time": int(time.time()),
                 "updates": {PAGE_KEY: why, "nonce": secrets.token_hex(8)}}  # one per ask
        outcome = await self.inbox.submit(event)
        if outcome != Recorded.ACCEPTED:
            log.warning("page re-read not recorded: %s", outcome,
                        extra={"athlete_id": athlete_id, "activity_id": activity_id})
            return Asked.NOT_RECORDED
        return Asked.RECORDED

    def waiting(self, athlete_id: int, activity_id: int) -> bool:
        """Whether a page's re-read of the activity is pending and no attempt has started (an
        attempt under way may have read the settings before this save)."""
        with self.rt.db.read() as session:
            rows = session.scalars(select(InboxEvent.updates).where(
                InboxEvent.owner_id == athlete_id, InboxEvent.object_id == activity_id,
                InboxEvent.object_type == "activity", InboxEvent.aspect_type == "update",
                InboxEvent.status == EventStatus.PENDING, InboxEvent.attempts == 0)).all()
        return any(PAGE_KEY in json.loads(updates or "{}") for updates in rows)
