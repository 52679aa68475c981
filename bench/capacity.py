"""Capacity: bytes per athlete in PostgreSQL and Redis, worker memory, and two worker hosts.

- 10,000 athletes are seeded into a fresh PostgreSQL database with what an athlete who uploads
  5 activities a week holds at steady state in Strava's cache: the HISTORY_DAYS of summaries
  the last history read listed plus what was uploaded since (at most STRAVA_CACHE_DAYS later,
  when the next read replaces them), and the inbox events of the last STRAVA_CACHE_DAYS. The
  purge deletes everything older, so nothing grows with time; the tables' total size (indexes
  included) per athlete is extrapolated to 100,000.
- Redis at rest: what a stack holds once its uploads are handled, key by key, above an empty
  server; and what it holds per queued event.
- Two worker "hosts" (separate processes, each with its own STRIDEWISE_VAR) share PostgreSQL and
  Redis and drain one stream of uploads: every activity must be written exactly once. The
  resident size of their worker processes is read from /proc.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import redis
from sqlalchemy import insert, text

from analysis.description import BLOCK_BEGIN
from tests.services import RedisServer, postgres_database
from worker.config import DEFAULT_CACHE_DAYS, Settings
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
from worker.history import HISTORY_DAYS
from worker.migrate import upgrade
from worker.models import Activity, Athlete, InboxEvent
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue, make_broker
from worker.tokens import TokenCipher

ATHLETES = 10_000
ACTIVITIES_PER_WEEK = 5
#: The horizon of Strava's cache at its default, and what the last read of a history covers.
HORIZON_DAYS = DEFAULT_CACHE_DAYS
#: Activities an athlete holds at most: those of the last history read and those uploaded
#: since, up to a horizon later.
ACTIVITIES = round((HISTORY_DAYS + HORIZON_DAYS) * ACTIVITIES_PER_WEEK / 7)
#: Uploads within the horizon: each has its block's digest and its webhook event.
RECENT = round(HORIZON_DAYS * ACTIVITIES_PER_WEEK / 7)
UPLOADS = 60


def _seed(db: Database, cipher: TokenCipher) -> None:
    now = datetime.now(UTC)
    token = "a" * 40  # Strava tokens are 40 hex characters
    day = timedelta(days=7 / ACTIVITIES_PER_WEEK)
    for first in range(0, ATHLETES, 1000):
        ids = range(first + 1, first + 1001)
        with db.session() as session:
            session.execute(insert(Athlete), [
                {"id": i, "access_token": cipher.encrypt(token),
                 "refresh_token": cipher.encrypt(token), "expires_at": 0,
                 "scope": "read,activity:read_all,activity:write", "status": "active",
                 "units": "metric", "connected_at": now, "updated_at": now,
                 "history_since": now - timedelta(days=HISTORY_DAYS + HORIZON_DAYS),
                 "history_read_at": now - timedelta(days=HORIZON_DAYS)} for i in ids])
            session.execute(insert(Activity), [
                {"id": i * 1000 + n, "athlete_id": i, "start_date": now - n * day,
                 "sport": "Run", "workout": "easy", "confidence": 0.8,
                 "evidence": "8.1 km at 5:15/km, steady, HR 74 % of max", "distance_m": 8100.0,
                 "moving_s": 2550.0, "load": 62.5, "hard": False, "avg_hr": 141.0,
                 "max_hr": 156.0, "ascent_m": 42.0, "used_streams": False, "needs_streams": False,
                 "workout_type": None, "analysed_at": now,
                 "fetched_at": now - n * day if n < RECENT else now - timedelta(days=HORIZON_DAYS),
                 "block_digest": "f" * 64 if n < RECENT else None,
                 "block_written_at": now - n * day if n < RECENT else None}
                for i in ids for n in range(ACTIVITIES)])
            session.execute(insert(InboxEvent), [
                {"dedup_key": f"{i}-{n}".ljust(64, "0"), "object_type": "activity",
                 "aspect_type": "create", "object_id": i * 1000 + n, "owner_id": i,
                 "event_time": 1_700_000_000 + n, "updates": "{}", "received_at": now - n * day,
                 "lease_until": now, "finished_at": now, "status": "done", "attempts": 1,
                 "fetched_at": now - n * day}
                for i in ids for n in range(RECENT)])


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


#: How long the stack is left idle after its last block before Redis is read "at rest".
REST_S = 10.0


def redis_at_rest(client: redis.Redis, empty: dict[str, int]) -> dict[str, object]:
    """What Redis holds now, above the ``empty`` server's INFO memory: by key pattern (ids and
    hex names made ``N``), how many keys, their bytes and the longest time to live (-1: none);
    and how much of the rest is the connections' buffers."""
    patterns: dict[str, list[int]] = {}
    for key in client.scan_iter(count=1000):
        name = key.decode()
        pattern = re.sub(r"[0-9a-f]{8,}(-[0-9a-f]{4,})*|\d+", "N", name)
        found = patterns.setdefault(pattern, [0, 0, -2])
        found[0] += 1
        found[1] += int(client.memory_usage(name) or 0)
        found[2] = max(found[2], int(client.ttl(name)))
    memory = _memory(client)
    return {"used_above_empty": memory["used_memory"] - empty["used_memory"],
            "clients_above_empty": memory["mem_clients_normal"] - empty["mem_clients_normal"],
            "clients": int(client.info("clients")["connected_clients"]), "keys": patterns}


def _memory(client: redis.Redis) -> dict[str, int]:
    info = client.info("memory")
    return {k: int(info[k]) for k in ("used_memory", "mem_clients_normal")}


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
        client = redis.Redis.from_url(redis_url)
        client.flushdb()  # this benchmark's own server
        empty = _memory(client)
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
                time.sleep(REST_S)
                at_rest = redis_at_rest(client, empty)
                workers = [p for p in stack.processes
                           if cast(list[str], p.args)[3] == "worker"] + [host_b]
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
            "worker_rss_mib": max(rss) / 1024 if rss else 0.0, "redis_at_rest": at_rest}


def measure() -> dict[str, object]:
    # A redis-server of its own: flushing it touches no other run's data.
    with RedisServer(Path(tempfile.mkdtemp(prefix="stridewise-redis-"))).running() as server:
        return {"db": database_bytes(),
                "redis_per_event": redis_bytes_per_queued_event(server.url),
                "hosts": two_hosts(server.url)}


def report(f: dict[str, Any]) -> str:
    db, hosts = f["db"], f["hosts"]
    total = db["athletes"] + db["activities"] + db["inbox_events"]
    per = total / ATHLETES
    rows = "\n".join(f"| {name} | {db[name] / 2**20:.1f} MiB | {db[name] / ATHLETES:,.0f} B |"
                     for name in ("athletes", "activities", "inbox_events"))
    rest = hosts["redis_at_rest"]
    key_bytes = sum(size for _, size, _ in rest["keys"].values())
    keys = "\n".join(f"| {pattern} | {count} | {size:,} B | {'none' if ttl < 0 else f'{ttl} s'} |"
                     for pattern, (count, size, ttl) in sorted(rest["keys"].items()))
    return (
        "## Capacity\n\n"
        "`python -m bench.capacity` (PostgreSQL at 127.0.0.1:5432, a database of its own, "
        "dropped afterwards; a redis-server of its own).\n\n"
        f"PostgreSQL, {ATHLETES:,} athletes, each holding what an athlete who uploads "
        f"{ACTIVITIES_PER_WEEK} a week holds at most in Strava's cache: {ACTIVITIES} activities "
        f"(the {HISTORY_DAYS} days the last history read listed and the {HORIZON_DAYS:g} days "
        f"uploaded since; {RECENT} of them with their block's digest) and {RECENT} inbox events "
        f"(those of the last {HORIZON_DAYS:g} days). The purge deletes everything older, so "
        "this does not grow with time (tables with their indexes):\n\n"
        "| table | total | per athlete |\n| --- | --- | --- |\n" + rows + "\n"
        f"| all | {total / 2**20:.1f} MiB | **{per:,.0f} B** |\n\n"
        f"Extrapolated to 100,000 athletes: **{per * 100_000 / 2**30:.2f} GiB**.\n\n"
        f"Redis at rest, {REST_S:g} s after the last of the uploads below was handled, with web "
        f"and both workers running: {rest['used_above_empty']:,} B above the empty server, of "
        f"which {rest['clients_above_empty']:,} B are the buffers of {rest['clients']} "
        f"connections and **{key_bytes:,} B** the keys (N: an id or a generated name); the "
        "rest is the allocator's and the scripts':\n\n"
        "| key | keys | bytes | longest time to live |\n| --- | --- | --- | --- |\n"
        + keys + "\n\n"
        f"A queued event costs {f['redis_per_event']:,.0f} B, so a backlog of 100,000 events "
        f"needs about {f['redis_per_event'] * 100_000 / 2**20:.0f} MiB.\n\n"
        "Two worker hosts (separate processes, separate STRIDEWISE_VAR) sharing PostgreSQL "
        f"and Redis, {hosts['uploads']} uploads: {hosts['blocks']} blocks written, "
        f"{hosts['twice']} activities with more than one block, {hosts['puts']} PUTs "
        f"(events handled: {hosts['host_a_events']} on host A, {hosts['host_b_events']} on "
        f"host B). Largest worker process resident size: **{hosts['worker_rss_mib']:.0f} MiB** "
        "(4 threads).\n\n"
        "Per athlete, Redis holds at rest the keys above whose pattern carries an athlete id "
        "(`athlete:N`), each for its time to live after the athlete's last request, and "
        "nothing once it has passed; the other keys are the application's, whatever the "
        "number of athletes.\n"
    )


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "INFO")
    print(report(measure()))
