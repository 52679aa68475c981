"""Operator commands: the push subscription, status, backfill, dead letters, key rotation."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select
from tqdm import tqdm  # type: ignore[import-untyped]

from worker.backfill import backfill
from worker.budget import QuotaExhausted, across_resets
from worker.forget import pending_revokes
from worker.inbox import EventStatus
from worker.jobs import JOB_PREFIX, JobStatus
from worker.models import Athlete, PendingRevoke, PushSubscription
from worker.queue import (
    BACKFILL_QUEUE,
    BACKFILL_STREAMS,
    HANDLE_EVENT,
    LIVE_QUEUE,
    enqueue,
    queue_depth,
)
from worker.retention import oldest_fetch
from worker.runtime import Runtime
from worker.strava import StravaError
from worker.tokens import AthleteUnavailable, TokensUnreadable, unreadable_athletes


def subscribe(rt: Runtime) -> int:
    """Create the push subscription (Strava verifies it with a GET of our webhook path)."""
    existing = _remote(rt)
    if existing:
        _record(rt, existing[0])
        callback = existing[0].get("callback_url")
        print(f"already subscribed: id {existing[0]['id']} -> "
              f"{rt.settings.redacted(str(callback))}")
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
              f"{rt.settings.redacted(rt.settings.webhook_url)}?)")
        return 1
    _record(rt, {"id": subscription_id, "callback_url": rt.settings.webhook_url})
    print(f"subscribed: id {subscription_id} -> {rt.settings.redacted(rt.settings.webhook_url)}")
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
        print(f"subscription {item['id']} -> {rt.settings.redacted(str(item.get('callback_url')))}")
    return 0


def _remote(rt: Runtime) -> list[dict[str, Any]]:
    listed = across_resets(rt.gateway.list_subscriptions)
    return [s for s in listed if isinstance(s, dict) and "id" in s]


def _record(rt: Runtime, item: dict[str, Any]) -> None:
    with rt.db.session() as session:
        for row in session.scalars(select(PushSubscription)).all():
            if row.id != int(item["id"]):
                session.delete(row)
        if session.get(PushSubscription, int(item["id"])) is None:
            callback = rt.settings.redacted(str(item.get("callback_url", "")))
            session.add(PushSubscription(id=int(item["id"]), callback_url=callback))


def status(rt: Runtime) -> int:
    """A readable table of the queues, the Strava budget, athletes and dead letters."""
    by_status = rt.inbox.counts()
    recent = rt.inbox.recent_failures(5)
    with rt.db.read() as session:
        athletes = dict(session.execute(
            select(Athlete.status, func.count()).group_by(Athlete.status)).all())
        oldest = oldest_fetch(session)
    usage = rt.budget.usage()
    limits = usage.limits
    print("Queues")
    for queue in (LIVE_QUEUE, BACKFILL_QUEUE):
        print(f"  {queue:<10} {queue_depth(rt.redis, queue):>6} messages")
    print("Inbox events")
    for name in EventStatus:
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
    unreadable = unreadable_athletes(rt.db, rt.cipher)
    if unreadable:
        print(f"  TOKENS CANNOT BE DECRYPTED for {len(unreadable)} athletes: no key of "
              "TOKEN_KEYS opens them. Their work waits, nothing is skipped or deleted; set "
              "TOKEN_KEYS to the keys that encrypted them (OPERATIONS.md, key rotation).")
    revokes = pending_revokes(rt)
    if revokes:
        print(f"  deleted, access not yet revoked at Strava {revokes:>2} (tried again by the "
              "sweeper)")
    dead_jobs = rt.jobs.counts().get(JobStatus.DEAD, 0)
    print(f"Dead letters: {by_status.get(EventStatus.DEAD, 0)} events, {dead_jobs} backfill "
          "jobs (stridewise dlq list)")
    print(f"Strava cache (kept {rt.settings.cache_days:g} days): {_age(oldest)}")
    if recent:
        print("Recent failures")
        for event_id, state, error in recent:
            print(f"  event {event_id} {state}: {error}")
    return 0


def _age(oldest: datetime | None) -> str:
    if oldest is None:
        return "nothing held"
    seconds = max(0, int((datetime.now(UTC) - oldest).total_seconds()))
    days, rest = divmod(seconds, 86_400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"oldest row fetched {days} d {clock} ago"


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S UTC")


def backfill_with_progress(rt: Runtime, athlete_id: int) -> int:
    bar = tqdm(desc=f"athlete {athlete_id}", unit="activity")

    def progress(done: int, total: int | None) -> None:
        if total is not None:
            bar.total = total
            bar.n = done
        bar.refresh()

    try:
        stored = across_resets(lambda: backfill(rt, athlete_id, progress, force=True))
    except (AthleteUnavailable, TokensUnreadable, QuotaExhausted, StravaError) as error:
        bar.close()
        print(f"backfill stopped: {error}")
        return 1
    bar.close()
    enqueue(rt.broker, BACKFILL_STREAMS, BACKFILL_QUEUE, athlete_id)
    print(f"stored {stored} activities of athlete {athlete_id}; "
          "the workers fetch streams for undecided ones as the budget allows")
    return 0


def dlq_list(rt: Runtime) -> int:
    """Dead events by their id, then dead backfill and streams jobs as ``job-ID``."""
    events, jobs = rt.inbox.dead_letters(), rt.jobs.dead_letters()
    if not events and not jobs:
        print("no dead letters")
        return 0
    for row in events:
        print(f"{row.id:>8}  {row.object_type} {row.aspect_type} {row.object_id} "
              f"(athlete {row.owner_id}), {row.attempts} attempts: {row.last_error}")
    for job in jobs:
        print(f"{JOB_PREFIX}{job.id:<4}  {job.actor} (athlete {job.athlete_id}): {job.reason}")
    return 0


def dlq_requeue(rt: Runtime, ids: Sequence[str]) -> int:
    """Put dead letters (all, or those named: event ids, ``job-ID``) back on their queues."""
    event_ids = [int(i) for i in ids if not i.startswith(JOB_PREFIX)]
    job_ids = [int(i.removeprefix(JOB_PREFIX)) for i in ids if i.startswith(JOB_PREFIX)]
    requeued = rt.inbox.requeue(event_ids) if event_ids or not ids else []
    for event_id in requeued:
        enqueue(rt.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
    jobs = rt.jobs.requeue(job_ids) if job_ids or not ids else []
    for job in jobs:
        enqueue(rt.broker, job.actor, job.queue, job.athlete_id)
    print(f"requeued {len(requeued) + len(jobs)} dead letters")
    return 0


def rotate_keys(rt: Runtime) -> int:
    """Re-encrypt every stored token under the newest key of TOKEN_KEYS.

    Each athlete is rotated under the same lock as a token refresh, reading their row afresh,
    so a refresh running meanwhile is neither lost nor overwritten.
    """
    started = time.monotonic()
    with rt.db.read() as session:
        athlete_ids = session.scalars(select(Athlete.id)).all()
    unreadable = []
    for athlete_id in athlete_ids:
        try:
            _rotate(rt, athlete_id)
        except TokensUnreadable:
            unreadable.append(athlete_id)
    _rotate_pending_revokes(rt)
    print(f"re-encrypted the tokens of {len(athlete_ids) - len(unreadable)} athletes "
          f"in {time.monotonic() - started:.1f} s")
    if unreadable:
        print(f"{len(unreadable)} athletes' tokens cannot be decrypted with any key of "
              "TOKEN_KEYS and were left as they are: is the key that encrypted them missing?")
        return 1
    return 0


def _rotate(rt: Runtime, athlete_id: int) -> None:
    """One athlete's tokens under the newest key, or :class:`TokensUnreadable` (nothing
    changed)."""
    with rt.tokens.lock(athlete_id), rt.db.session() as session:
        athlete = session.get(Athlete, athlete_id)
        if athlete is not None:
            access = rt.cipher.rotate(athlete.access_token, athlete_id)
            refresh = rt.cipher.rotate(athlete.refresh_token, athlete_id)
            athlete.access_token, athlete.refresh_token = access, refresh


def _rotate_pending_revokes(rt: Runtime) -> None:
    """The tokens kept for a revoke, under the newest key too (those no key opens stay)."""
    with rt.db.session() as session:
        for row in session.scalars(select(PendingRevoke)).all():
            if rt.cipher.readable(row.access_token) and rt.cipher.readable(row.refresh_token):
                row.access_token = rt.cipher.rotate(row.access_token)
                row.refresh_token = rt.cipher.rotate(row.refresh_token)
