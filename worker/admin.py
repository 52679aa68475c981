"""Operator commands: the push subscription, status, backfill, dead letters, key rotation."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import func, select

from worker.budget import across_resets
from worker.models import Athlete, InboxEvent, PushSubscription, utcnow
from worker.queue import BACKFILL_QUEUE, BACKFILL_STREAMS, HANDLE_EVENT, LIVE_QUEUE, enqueue
from worker.runtime import Runtime
from worker.strava import StravaError


def subscribe(rt: Runtime) -> int:
    """Create the push subscription (Strava verifies it with a GET of our webhook path)."""
    existing = _remote(rt)
    if existing:
        _record(rt, existing[0])
        callback = existing[0].get("callback_url")
        print(f"already subscribed: id {existing[0]['id']} -> {callback}")
        if callback != rt.settings.webhook_url:
            print("that is not this deployment's webhook path: Strava's events to it are lost. "
                  "Run `stridewise unsubscribe`, then `stridewise subscribe` to move it.")
            return 1
        return 0
    try:
        subscription_id = across_resets(lambda: rt.gateway.create_subscription(
            rt.settings.webhook_url, rt.settings.verify_token))
    except StravaError as error:
        print(f"subscribe failed: {error}\n(is the web process reachable at "
              f"{rt.settings.webhook_url}?)")
        return 1
    _record(rt, {"id": subscription_id, "callback_url": rt.settings.webhook_url})
    print(f"subscribed: id {subscription_id} -> {rt.settings.webhook_url}")
    return 0


def unsubscribe(rt: Runtime) -> int:
    existing = _remote(rt)
    for item in existing:
        across_resets(partial(rt.gateway.delete_subscription, int(item["id"])))
        print(f"deleted subscription {item['id']}")
    with rt.db.session() as session:
        for row in session.scalars(select(PushSubscription)).all():
            session.delete(row)
    if not existing:
        print("no subscription to delete")
    return 0


def subscription(rt: Runtime) -> int:
    existing = _remote(rt)
    if not existing:
        print("no push subscription")
        return 1
    for item in existing:
        _record(rt, item)
        print(f"subscription {item['id']} -> {item.get('callback_url')}")
    return 0


def _remote(rt: Runtime) -> list[dict]:
    listed = across_resets(rt.gateway.list_subscriptions)
    return [s for s in listed if isinstance(s, dict) and "id" in s]


def _record(rt: Runtime, item: dict) -> None:
    with rt.db.session() as session:
        for row in session.scalars(select(PushSubscription)).all():
            if row.id != int(item["id"]):
                session.delete(row)
        if session.get(PushSubscription, int(item["id"])) is None:
            session.add(PushSubscription(id=int(item["id"]),
                                         callback_url=str(item.get("callback_url", ""))))


def status(rt: Runtime) -> int:
    """A readable table of the queues, the Strava budget, athletes and dead letters."""
    with rt.db.session() as session:
        by_status = dict(session.execute(
            select(InboxEvent.status, func.count()).group_by(InboxEvent.status)).all())
        athletes = dict(session.execute(
            select(Athlete.status, func.count()).group_by(Athlete.status)).all())
        recent = session.execute(
            select(InboxEvent.id, InboxEvent.status, InboxEvent.last_error)
            .where(InboxEvent.status.in_(("dead", "skipped")))
            .order_by(InboxEvent.finished_at.desc()).limit(5)).all()
    usage = rt.budget.usage()
    limits = usage.limits
    print("Queues")
    for queue in (LIVE_QUEUE, BACKFILL_QUEUE):
        print(f"  {queue:<10} {queue_depth(rt, queue):>6} messages")
    print("Inbox events")
    for name in ("pending", "done", "skipped", "dead"):
        print(f"  {name:<10} {by_status.get(name, 0):>6}")
    print("Strava budget (requests used / limit)")
    print(f"  15-min window  overall {usage.overall_short}/{limits.overall_short}"
          f"  read {usage.read_short}/{limits.read_short}"
          f"  resets {_clock(usage.short_resets_at)}")
    print(f"  daily window   overall {usage.overall_daily}/{limits.overall_daily}"
          f"  read {usage.read_daily}/{limits.read_daily}"
          f"  resets {_clock(usage.daily_resets_at)}")
    if usage.closed_until:
        print(f"  PAUSED until {_clock(usage.closed_until)}: {rt.budget.closed_reason()}")
    # The order in which work gives way as the quota runs short (worker.budget.PRIORITIES).
    for label, priority, off in (("streams for live uploads", "streams", "skipped"),
                                 ("backfill", "backfill", "deferred"),
                                 ("streams for backfill", "backfill-streams", "deferred"),
                                 ("live uploads", "live", "deferred to the next window")):
        state = "running" if rt.budget.allows(priority, usage) else off
        print(f"  {label:<26} {state}")
    print("Athletes")
    print(f"  connected  {athletes.get('active', 0):>6}")
    print(f"  must reconnect {athletes.get('needs_reauth', 0):>2}")
    print(f"Dead letters: {by_status.get('dead', 0)} (stridewise dlq list)")
    if recent:
        print("Recent failures")
        for event_id, state, error in recent:
            print(f"  event {event_id} {state}: {error}")
    return 0


def queue_depth(rt: Runtime, queue: str) -> int:
    # dramatiq's Redis broker keeps a queue's messages in the hash "<namespace>:<queue>.msgs"
    # and delayed ones under "<queue>.DQ".
    client = rt.redis
    return sum(int(client.hlen(f"stridewise:{name}.msgs")) for name in (queue, f"{queue}.DQ"))


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S UTC")


def backfill_with_progress(rt: Runtime, athlete_id: int) -> int:
    from tqdm import tqdm

    from worker.backfill import backfill
    from worker.budget import QuotaExhausted
    from worker.tokens import AthleteUnavailable

    bar = tqdm(desc=f"athlete {athlete_id}", unit="activity")

    def progress(done: int, total: int | None) -> None:
        if total is not None:
            bar.total = total
            bar.n = done
        bar.refresh()

    try:
        stored = across_resets(lambda: backfill(rt, athlete_id, progress))
    except (AthleteUnavailable, QuotaExhausted, StravaError) as error:
        bar.close()
        print(f"backfill stopped: {error}")
        return 1
    bar.close()
    enqueue(rt.broker, BACKFILL_STREAMS, BACKFILL_QUEUE, athlete_id)
    print(f"stored {stored} activities of athlete {athlete_id}; "
          "the workers fetch streams for undecided ones as the budget allows")
    return 0


def dlq_list(rt: Runtime) -> int:
    with rt.db.session() as session:
        rows = session.scalars(select(InboxEvent).where(InboxEvent.status == "dead")
                               .order_by(InboxEvent.id)).all()
    if not rows:
        print("no dead letters")
        return 0
    for row in rows:
        print(f"{row.id:>8}  {row.object_type} {row.aspect_type} {row.object_id} "
              f"(athlete {row.owner_id}), {row.attempts} attempts: {row.last_error}")
    return 0


def dlq_requeue(rt: Runtime, ids: list[int]) -> int:
    """Put dead events (all, or those named) back on the live queue."""
    query = select(InboxEvent).where(InboxEvent.status == "dead")
    if ids:
        query = query.where(InboxEvent.id.in_(ids))
    with rt.db.session() as session:
        rows = session.scalars(query).all()
        for row in rows:
            row.status, row.last_error, row.finished_at = "pending", None, None
            row.attempts, row.enqueued_at = 0, utcnow()
        requeued = [row.id for row in rows]
    for event_id in requeued:
        enqueue(rt.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
    print(f"requeued {len(requeued)} dead letters")
    return 0


def rotate_keys(rt: Runtime) -> int:
    """Re-encrypt every stored token under the newest key of TOKEN_KEYS.

    Each athlete is rotated under the same lock as a token refresh, reading their row afresh,
    so a refresh running meanwhile is neither lost nor overwritten.
    """
    started = time.monotonic()
    with rt.db.session() as session:
        athlete_ids = session.scalars(select(Athlete.id)).all()
    for athlete_id in athlete_ids:
        with rt.tokens.lock(athlete_id), rt.db.session() as session:
            athlete = session.get(Athlete, athlete_id)
            if athlete is not None:
                athlete.access_token = rt.cipher.rotate(athlete.access_token)
                athlete.refresh_token = rt.cipher.rotate(athlete.refresh_token)
    print(f"re-encrypted the tokens of {len(athlete_ids)} athletes "
          f"in {time.monotonic() - started:.1f} s")
    return 0
