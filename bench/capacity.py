"""Capacity: bytes per athlete in PostgreSQL and Redis, worker memory, and two worker hosts.

- 10,000 athletes are seeded into a fresh PostgreSQL database with 10 weeks of analysed
  activities each (5 a week) and 14 days of finished inbox events (what the sweeper keeps);
  the tables' total size (indexes included) per athlete is extrapolated to 100,000.
- Redis holds no per-athlete state at rest; what it holds per queued event is measured.
- Two worker "hosts" (separate processes, each with its own STRIDEWISE_VAR) share PostgreSQL and
  Redis and drain one stream of uploads: every activity must be written exactly once. The
  resident size of their worker processes is read from /proc.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import redis
from sqlalchemy import insert, text

from analysis.description import BLOCK_BEGIN
from tests.services import RedisServer, postgres_database
from worker.config import Settings
from worker.db import Database
from worker.devstack import (
    Stack,
    connect_athlete,
    local_env,
    sandbox_description,
    start_stack,
    subscribe,
    upload,
)
from worker.migrate import upgrade
from worker.models import Activity, Athlete, InboxEvent
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue, make_broker
from worker.tokens import TokenCipher

ATHLETES = 10_000
ACTIVITIES_PER_WEEK = 5
WEEKS = 10
UPLOADS = 60


def _seed(db: Database, cipher: TokenCipher) -> None:
    now = datetime.now(UTC)
    token = "a" * 40  # Strava tokens are 40 hex characters
    for first in range(0, ATHLETES, 1000):
        ids = range(first + 1, first + 1001)
        with db.session() as session:
            session.execute(insert(Athlete), [
                {"id": i, "access_token": cipher.encrypt(token),
                 "refresh_token": cipher.encrypt(token), "expires_at": 0,
                 "scope": "read,activity:read_all,activity:write", "status": "active",
                 "units": "metric", "connected_at": now, "updated_at": now} for i in ids])
            session.execute(insert(Activity), [
                {"id": i * 1000 + n, "athlete_id": i,
                 "start_date": now - timedelta(days=n * 7 / ACTIVITIES_PER_WEEK),
                 "sport": "Run", "workout": "easy", "confidence": 0.8,
                 "evidence": "8.1 km at 5:15/km, steady, HR 74 % of max", "distance_m": 8100.0,
                 "moving_s": 2550.0, "load": 62.5, "hard": False, "avg_hr": 141.0,
                 "max_hr": 156.0, "ascent_m": 42.0, "used_streams": False, "needs_streams": False,
                 "block_digest": "f" * 64, "block_written_at": now, "analysed_at": now}
                for i in ids for n in range(WEEKS * ACTIVITIES_PER_WEEK)])
            session.execute(insert(InboxEvent), [
                {"dedup_key": f"{i}-{n}".ljust(64, "0"), "object_type": "activity",
                 "aspect_type": "create", "object_id": i * 1000 + n, "owner_id": i,
                 "event_time": 1_700_000_000 + n, "updates": "{}", "received_at": now,
                 "lease_until": now, "finished_at": now, "status": "done", "attempts": 1}
                for i in ids for n in range(2 * ACTIVITIES_PER_WEEK)])


def database_bytes() -> dict[str, float]:
    with postgres_database() as url:
        db = Database(url)
        upgrade(db.engine)
        from cryptography.fernet import Fernet

        started = time.monotonic()
        _seed(db, TokenCipher([Fernet.generate_key().decode()]))
        seeded_s = time.monotonic() - started
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            sizes = {name: connection.execute(text(f"SELECT pg_total_relation_size('{name}')"))
                     .scalar_one() for name in ("athletes", "activities", "inbox_events")}
        db.dispose()
    return {"seed_s": seeded_s, **{k: float(v) for k, v in sizes.items()}}


def redis_bytes_per_queued_event(redis_url: str) -> float:
    client = redis.Redis.from_url(redis_url)
    broker = make_broker(client)
    before = int(client.info("memory")["used_memory"])
    for event_id in range(10_000):
        enqueue(broker, HANDLE_EVENT, LIVE_QUEUE, event_id)
    after = int(client.info("memory")["used_memory"])
    client.flushdb()
    return (after - before) / 10_000


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def two_hosts(redis_url: str) -> dict[str, float]:
    with postgres_database() as url:
        base = tempfile.mkdtemp(prefix="stridewise-hosts-")
        env = local_env(f"{base}/a", url, redis_url)
        env["STRAVA_RATE_LIMITS"] = "10000,100000;10000,100000"  # a reviewed app's tier
        redis.Redis.from_url(redis_url).flushdb()  # this benchmark's own server
        settings = Settings.from_env(env)
        with Stack(env) as stack:
            start_stack(stack, settings, processes=1, threads=4,
                        logs={n: f"{base}/{n}.log" for n in ("sandbox", "web", "worker")})
            second_env = {**env, "STRIDEWISE_VAR": f"{base}/b",
                          "TOKEN_KEYS": Settings.from_env(env).token_keys[0]}
            second = Stack(second_env)
            host_b = second.start("worker", "--processes", "1", "--threads", "4",
                                  log=f"{base}/worker-b.log")
            try:
                subscribe(env)
                connect_athlete(settings, 808)
                time.sleep(3)
                httpx.post(f"{settings.strava_base_url}/_sandbox/stats/reset")
                ids = [upload(settings, 808, ("easy", "intervals", "hills")[i % 3], seed=i)
                       for i in range(UPLOADS)]
                deadline = time.monotonic() + 180
                texts: dict[int, str] = {}
                while len(texts) < len(ids) and time.monotonic() < deadline:
                    for i in ids:
                        text_now = "" if i in texts else sandbox_description(settings, i)
                        if BLOCK_BEGIN in text_now:
                            texts[i] = text_now
                    time.sleep(0.5)
                stats = httpx.get(f"{settings.strava_base_url}/_sandbox/stats").json()
                workers = [p for p in stack.processes if p.args[3] == "worker"] + [host_b]
                rss = [_rss_kib(c) for w in workers for c in _children(w.pid)]
                marker = '"message": "activity create'
                handled = {name: Path(f"{base}/{name}.log").read_text().count(marker)
                           for name in ("worker", "worker-b")}
            finally:
                second.stop()
    return {"uploads": UPLOADS, "blocks": len(texts),
            "twice": sum(t.count(BLOCK_BEGIN) > 1 for t in texts.values()),
            "puts": stats["by_endpoint"].get("PUT /activities/{id}", 0),
            "host_a_events": handled["worker"], "host_b_events": handled["worker-b"],
            "worker_rss_mib": max(rss) / 1024 if rss else 0.0}


def measure() -> dict[str, object]:
    # A redis-server of its own: flushing it touches no other run's data.
    with RedisServer(Path(tempfile.mkdtemp(prefix="stridewise-redis-"))).running() as server:
        return {"db": database_bytes(),
                "redis_per_event": redis_bytes_per_queued_event(server.url),
                "hosts": two_hosts(server.url)}


def _per_activity(db: dict[str, float]) -> float:
    return db["activities"] / (ATHLETES * WEEKS * ACTIVITIES_PER_WEEK)


def report(f: dict) -> str:
    db, hosts = f["db"], f["hosts"]
    total = db["athletes"] + db["activities"] + db["inbox_events"]
    per = total / ATHLETES
    rows = "\n".join(f"| {name} | {db[name] / 2**20:.1f} MiB | {db[name] / ATHLETES:,.0f} B |"
                     for name in ("athletes", "activities", "inbox_events"))
    return (
        "## Capacity\n\n"
        f"PostgreSQL, {ATHLETES:,} athletes seeded with {WEEKS} weeks of activities "
        f"({ACTIVITIES_PER_WEEK} a week) and 14 days of finished inbox events each "
        "(tables with their indexes):\n\n"
        "| table | total | per athlete |\n| --- | --- | --- |\n" + rows + "\n"
        f"| all | {total / 2**20:.1f} MiB | **{per:,.0f} B** |\n\n"
        f"Extrapolated to 100,000 athletes: **{per * 100_000 / 2**30:.2f} GiB**. Activities "
        "older than the 10 weeks the feedback reads are kept; each further year adds "
        f"about {_per_activity(db) * 52 * ACTIVITIES_PER_WEEK:,.0f} B per athlete.\n\n"
        "Redis keeps nothing per athlete at rest (queues, locks and quota counters are "
        f"transient); a queued event costs {f['redis_per_event']:,.0f} B, so a backlog of "
        f"100,000 events needs about {f['redis_per_event'] * 100_000 / 2**20:.0f} MiB.\n\n"
        "Two worker hosts (separate processes, separate STRIDEWISE_VAR) sharing PostgreSQL "
        f"and Redis, {hosts['uploads']} uploads: {hosts['blocks']} blocks written, "
        f"{hosts['twice']} activities with more than one block, {hosts['puts']} PUTs "
        f"(events handled: {hosts['host_a_events']} on host A, {hosts['host_b_events']} on "
        f"host B). Largest worker process resident size: **{hosts['worker_rss_mib']:.0f} MiB** "
        "(4 threads).\n"
    )


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "INFO")
    print(report(measure()))
