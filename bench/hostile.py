"""Forged webhook traffic against a whole stack on loopback: what it changes and what it costs.

Sandbox, web and one worker process run as real processes, with Strava's quota scaled down in
time (60 s windows of 100 reads, the default tier's read limit). An outsider who knows the
documented route posts forged creates there; one who learnt the secret path posts forged
creates for activities that do not exist, all naming one connected athlete, and a forged
deauthorization of that athlete, while both athletes upload for real: how long the other
athlete's upload waits for its block is the figure that matters. Then thousands of slow clients
hold connections open while events arrive. Every loop is bounded; the run stops by itself
within about twenty minutes.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx
from sqlalchemy import func, select

from analysis.description import BLOCK_BEGIN
from bench.stack import scaled_quota_env
from worker.config import Settings
from worker.db import Database
from worker.devstack import Stack, connect_athlete, host_port, start_stack, subscribe, upload
from worker.models import Athlete, InboxEvent, PushSubscription

WINDOW_S = 60
READS_PER_WINDOW = 100
VICTIM = 6101
OTHER = 6102
#: Forged creates posted to the documented route and to a wrong secret.
WRONG_PATH = 1000
#: Forged creates through the secret path, for activities that do not exist, all naming VICTIM.
FORGED = 1000
#: Slow clients, each sending half a request line and then nothing.
SLOW = 3000
#: Events acknowledged while the slow clients hold their connections.
ACKED = 200
#: How long the forged creates are watched after the real uploads are served: long enough for
#: the first of them to spend all their reads (15 + 60 + 240 s of waits, plus the windows they
#: wait for their athlete's share), not for 1,000 of them at one athlete's share.
FORGED_SETTLE_S = 600
#: Longest wait for a real upload's block.
BLOCK_TIMEOUT_S = 5 * WINDOW_S
FAR_IDS = 9_000_000_000


def event(subscription: int | None, aspect: str, object_id: int, owner: int,
          object_type: str = "activity", updates: dict[str, str] | None = None) -> dict[str, Any]:
    return {"aspect_type": aspect, "event_time": int(time.time()), "object_id": object_id,
            "object_type": object_type, "owner_id": owner, "subscription_id": subscription,
            "updates": updates or {}}


def reads(stats: dict[str, Any], ids: range) -> list[int]:
    return [int(stats["by_activity"].get(str(i), 0)) for i in ids]


def wait_for_block(settings: Settings, activity_id: int, uploaded: float,
                   timeout: float) -> float | None:
    """Seconds from ``uploaded`` (monotonic) until the activity's description carries a block,
    or None after ``timeout`` seconds from then."""
    while time.monotonic() - uploaded < timeout:
        answer = httpx.get(f"{settings.strava_base_url}/_sandbox/activities/{activity_id}")
        if BLOCK_BEGIN in (answer.json().get("description") or ""):
            return time.monotonic() - uploaded
        time.sleep(0.25)
    return None


def pending(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(InboxEvent)
                                  .where(InboxEvent.status == "pending")) or 0)


async def slow_clients(host: str, port: int, webhook_url: str, bodies: list[dict[str, Any]],
                       ) -> dict[str, float]:
    """Open SLOW dripping connections, then post ``bodies`` one after another."""
    writers = []
    for _ in range(SLOW):
        _, writer = await asyncio.open_connection(host, port)
        writer.write(b"POST /webhook/x HTTP/1.1\r\nHost: x\r\n")  # and never more
        writers.append(writer)
    latencies, statuses = [], []
    async with httpx.AsyncClient(timeout=10.0) as client:
        for body in bodies:
            sent = time.perf_counter()
            answer = await client.post(webhook_url, json=body)
            latencies.append(time.perf_counter() - sent)
            statuses.append(answer.status_code)
    for writer in writers:
        writer.close()
    return {"acked": statuses.count(200), "p50_ms": 1000 * statistics.median(latencies),
            "max_ms": 1000 * max(latencies)}


def measure() -> dict[str, Any]:
    workdir, env = scaled_quota_env("stridewise-hostile-", WINDOW_S, READS_PER_WINDOW)
    settings = Settings.from_env(env)
    db = Database(settings.database_url)
    figures: dict[str, Any] = {}
    with Stack(env) as stack:
        start_stack(stack, settings, processes=1, threads=4,
                    logs={n: str(workdir / f"{n}.log") for n in ("sandbox", "web", "worker")})
        subscribe(env)
        for athlete in (VICTIM, OTHER):
            connect_athlete(settings, athlete)
        time.sleep(5)  # the connect-time backfills settle
        with db.session() as session:
            subscription = session.scalar(select(PushSubscription.id))
        web = httpx.Client(base_url=settings.public_url, timeout=10.0)

        wrong = range(FAR_IDS, FAR_IDS + WRONG_PATH)
        started = time.monotonic()
        answers = [web.post("/webhook" if n % 2 else "/webhook/not-the-secret",
                            json=event(subscription, "create", i, VICTIM)).status_code
                   for n, i in enumerate(wrong)]
        figures["wrong_path_s"] = time.monotonic() - started
        figures["wrong_path_404"] = answers.count(404)

        secret = range(FAR_IDS + WRONG_PATH, FAR_IDS + WRONG_PATH + FORGED)
        started = time.monotonic()
        web.post(settings.webhook_url, json=event(subscription, "update", VICTIM, VICTIM,
                                                  "athlete", {"authorized": "false"}))
        for i in secret:
            web.post(settings.webhook_url, json=event(subscription, "create", i, VICTIM))
        figures["forged_post_s"] = time.monotonic() - started
        other_at = time.monotonic()
        real_other = upload(settings, OTHER, "intervals", seed=1, description="mine")
        victim_at = time.monotonic()
        real_victim = upload(settings, VICTIM, "easy", seed=2, description="mine too")
        figures["other_block_s"] = wait_for_block(settings, real_other, other_at,
                                                  BLOCK_TIMEOUT_S)
        figures["victim_block_s"] = wait_for_block(settings, real_victim, victim_at,
                                                   BLOCK_TIMEOUT_S)
        # The worst moment for the other athlete: just after a window opens, when every forged
        # event deferred to it wakes up at once.
        time.sleep(WINDOW_S - time.time() % WINDOW_S + 0.5)
        opened_at = time.monotonic()
        real_opened = upload(settings, OTHER, "tempo", seed=3, description="mine again")
        figures["other_at_opening_s"] = wait_for_block(settings, real_opened, opened_at,
                                                       BLOCK_TIMEOUT_S)
        deadline = time.monotonic() + FORGED_SETTLE_S
        while pending(db) and time.monotonic() < deadline:
            time.sleep(2)
        stats = httpx.get(f"{settings.strava_base_url}/_sandbox/stats").json()
        figures["wrong_path_requests"] = sum(reads(stats, wrong))
        forged_reads = reads(stats, secret)
        figures["forged_requests"] = sum(forged_reads)
        figures["forged_most"] = max(forged_reads)
        figures["forged_read_all"] = sum(1 for n in forged_reads if n == max(forged_reads))
        figures["forged_pending"] = pending(db)
        figures["forged_watched_s"] = time.monotonic() - started
        figures["rate_limited"] = stats["rate_limited"]
        with db.session() as session:
            victim = session.get(Athlete, VICTIM)
            figures["victim_connected"] = victim is not None and victim.status == "active"

        host, port = host_port(settings.public_url)
        bodies = [event(subscription, "delete", FAR_IDS * 2 + i, OTHER) for i in range(ACKED)]
        figures.update(asyncio.run(slow_clients(host, port, settings.webhook_url, bodies)))
        web.close()
    db.dispose()
    return figures


def report(f: dict[str, Any]) -> str:
    def seconds(value: float | None) -> str:
        return "never" if value is None else f"{value:.1f} s"

    return (
        "## Hostile traffic\n\n"
        f"One web and one worker process, sandbox Strava, STRAVA_RATE_WINDOWS={WINDOW_S},86400 "
        f"and {READS_PER_WINDOW} reads per window on both sides.\n\n"
        f"- {WRONG_PATH} forged creates to `/webhook` and a wrong secret: "
        f"{f['wrong_path_404']} answered 404 in {f['wrong_path_s']:.1f} s, "
        f"**{f['wrong_path_requests']} Strava requests**\n"
        f"- {FORGED} forged creates through the secret path, all for athlete {VICTIM}, posted "
        f"in {f['forged_post_s']:.1f} s: **{f['forged_requests']} requests** in "
        f"{f['forged_watched_s']:.0f} s, at most {f['forged_most']} for one forged id "
        f"({f['forged_read_all']} ids read that often); {f['forged_pending']} still waiting "
        f"for their athlete's share; 429 answers: {f['rate_limited']}\n"
        f"- meanwhile a real upload of another athlete got its block after "
        f"**{seconds(f['other_block_s'])}** (another, uploaded half a second after a window "
        f"opened, after **{seconds(f['other_at_opening_s'])}**), and one of athlete {VICTIM}, "
        f"whose deauthorization was forged too, after {seconds(f['victim_block_s'])}; "
        f"that athlete still connected: {f['victim_connected']}\n"
        f"- {SLOW} slow clients holding connections: {f['acked']:.0f} of {ACKED} events "
        f"acknowledged, median {f['p50_ms']:.0f} ms, slowest {f['max_ms']:.0f} ms\n"
    )


if __name__ == "__main__":
    print(report(measure()))
