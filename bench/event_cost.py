"""What one webhook event costs the worker: transactions, SQL statements, Redis commands, CPU.

An athlete is connected among many others (10,000 rows in ``athletes``) on PostgreSQL and a
redis-server of the benchmark's own; their history is read first, so each event is the
steady-state case of an upload by a known athlete. Each event is recorded in the inbox as the
webhook records it and handled by ``worker.sync.handle_event``, the function the actor runs.
Counted per event, from the handling thread alone:

- transactions: SQLAlchemy ``begin`` events of the worker's engine;
- SQL statements: ``before_cursor_execute`` events (each round trip to the database);
- Redis commands: the server's own count (``INFO commandstats``), less the benchmark's INFO;
- CPU: ``time.thread_time`` of the handling thread (the sandbox Strava answers from another
  thread of this process, so its work is not counted).

The history read before the events (the connect's backfill of HISTORY_DAYS) is counted the
same way: the transactions of one read of the athlete's weeks.

The sweeper's and the cache purge's time per pass is measured at 1,000, 10,000 and 100,000
athletes with the same work due (a handful of stale events and expired rows): a pass should
cost what is due, not what is stored.

Run: ``python -m bench.event_cost`` (needs PostgreSQL at 127.0.0.1:5432 and redis-server).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from sqlalchemy import event, insert, update
from starlette.testclient import TestClient

from tests.services import RedisServer, free_port, postgres_available, postgres_database
from worker import retention, sync
from worker.backfill import backfill
from worker.budget import across_resets
from worker.config import Settings
from worker.migrate import upgrade
from worker.models import Activity, Athlete, InboxEvent, utcnow
from worker.runtime import Runtime
from worker.sandbox.app import create_app as create_sandbox
from worker.sandbox.config import SandboxConfig
from worker.sweeper import sweep
from worker.web import create_app

#: Athletes in the database besides the one whose events are measured.
ATHLETES = 10_000
#: Events measured; the first is left out of the figures (imports and caches warm up on it).
EVENTS = 21
#: Athlete counts at which a sweeper pass and a purge pass are timed.
SCALES = (1_000, 10_000, 100_000)
#: Work due at every scale: stale inbox events for the sweeper, expired activities for the purge.
DUE = 20
#: The measured athlete, and the days of history the sandbox holds for them.
ATHLETE = 9_001_001
HISTORY_DAYS = 28
#: Passes timed per scale; the median is reported.
PASSES = 5


@dataclass(frozen=True)
class Cost:
    transactions: float
    statements: float
    redis_commands: float
    cpu_ms: float


@dataclass(frozen=True)
class HistoryRead:
    sessions: int
    transactions: int


@dataclass(frozen=True)
class Figures:
    events: int
    median: Cost
    worst: Cost
    history: HistoryRead
    passes: dict[int, tuple[float, float]]  # athletes -> (sweeper ms, purge ms)


class Counter:
    """Transactions and statements of one engine, counted in one thread only."""

    def __init__(self, rt: Runtime) -> None:
        self.thread = threading.get_ident()
        self.transactions = 0
        self.statements = 0
        event.listen(rt.db.engine, "begin", self._begin)
        event.listen(rt.db.engine, "before_cursor_execute", self._statement)

    def _begin(self, *_: Any) -> None:
        if threading.get_ident() == self.thread:
            self.transactions += 1

    def _statement(self, *_: Any) -> None:
        if threading.get_ident() == self.thread:
            self.statements += 1


def redis_calls(rt: Runtime) -> int:
    stats = rt.redis.info("commandstats")
    return sum(int(entry["calls"]) for entry in stats.values())


@contextmanager
def sandbox() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_sandbox(SandboxConfig(history_days=0)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    while not server.started:
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def runtime(workdir: Path, strava_url: str = "") -> Iterator[Runtime]:
    with RedisServer(workdir / "redis").running() as redis_server, \
            postgres_database() as database_url:
        env = {"STRIDEWISE_VAR": str(workdir / "var"), "DATABASE_URL": database_url,
               "REDIS_URL": redis_server.url}
        if strava_url:
            env["STRAVA_BASE_URL"] = strava_url
        rt = Runtime(Settings.from_env(env))
        upgrade(rt.db.engine)
        try:
            yield rt
        finally:
            rt.db.dispose()


def add_athletes(rt: Runtime, count: int, first_id: int = 1) -> None:
    rows = [{"id": first_id + n, "access_token": "-", "refresh_token": "-", "expires_at": 0,
             "scope": "activity:read_all,activity:write"} for n in range(count)]
    with rt.db.session() as session:
        for start in range(0, len(rows), 10_000):
            session.execute(insert(Athlete), rows[start:start + 10_000])


def connect(rt: Runtime) -> None:
    browser = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = browser.get("/connect", follow_redirects=False)
    approved = httpx.get(to_strava.headers["location"] + f"&sandbox_athlete={ATHLETE}")
    back = urlsplit(approved.headers["location"])
    browser.get(f"{back.path}?{back.query}")


def upload(rt: Runtime, seed: int) -> int:
    answer = httpx.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                        json={"workout": ("easy", "intervals", "long")[seed % 3], "seed": seed,
                              "description": "", "notify": False})
    answer.raise_for_status()
    return int(answer.json()["id"])


def record(rt: Runtime, activity_id: int) -> int:
    subscription = int(time.time())
    _, ids = rt.inbox.record([{
        "object_type": "activity", "aspect_type": "create", "object_id": activity_id,
        "owner_id": ATHLETE, "subscription_id": subscription, "event_time": int(time.time()),
        "updates": {}}])
    return ids[0]


def measure_events(workdir: Path) -> tuple[list[Cost], HistoryRead]:
    with sandbox() as strava_url, runtime(workdir, strava_url) as rt:
        add_athletes(rt, ATHLETES)
        httpx.post(f"{strava_url}/_sandbox/athletes/{ATHLETE}/history",
                   json={"days": HISTORY_DAYS, "seed": 7}).raise_for_status()
        connect(rt)
        counter = Counter(rt)
        sessions = across_resets(lambda: backfill(rt, ATHLETE, force=True))
        history = HistoryRead(sessions, counter.transactions)
        costs = []
        for seed in range(EVENTS):
            event_id = record(rt, upload(rt, seed))
            before = (counter.transactions, counter.statements, redis_calls(rt))
            cpu = time.thread_time()
            across_resets(lambda eid=event_id: sync.handle_event(rt, eid))  # type: ignore[misc]
            cpu_ms = (time.thread_time() - cpu) * 1000
            after = (counter.transactions, counter.statements, redis_calls(rt) - 1)
            costs.append(Cost(after[0] - before[0], after[1] - before[1],
                              after[2] - before[2], cpu_ms))
        return costs[1:], history


def due_work(rt: Runtime) -> None:
    """DUE stale events and DUE expired activities, whatever the number of athletes."""
    long_ago = utcnow() - timedelta(days=30)
    _, ids = rt.inbox.record([{
        "object_type": "activity", "aspect_type": "create", "object_id": 10**9 + n,
        "owner_id": 1 + n, "subscription_id": 1, "event_time": int(time.time()), "updates": {}}
        for n in range(DUE)])
    with rt.db.session() as session:
        session.execute(update(InboxEvent).where(InboxEvent.id.in_(ids))
                        .values(lease_until=long_ago))
        session.execute(insert(Activity), [
            {"id": 2 * 10**9 + n, "athlete_id": 1 + n, "start_date": long_ago,
             "fetched_at": long_ago, "sport": "Run", "workout": "easy", "confidence": 0.9,
             "distance_m": 8000.0, "moving_s": 2400.0, "load": 40.0, "hard": False}
            for n in range(DUE)])


def measure_passes(workdir: Path) -> dict[int, tuple[float, float]]:
    passes: dict[int, tuple[float, float]] = {}
    for scale in SCALES:
        with runtime(workdir / str(scale)) as rt:
            add_athletes(rt, scale)
            sweeps, purges = [], []
            for _ in range(PASSES):
                due_work(rt)
                started = time.perf_counter()
                sweep(rt)
                sweeps.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                retention.purge(rt.db, rt.settings.cache_horizon)
                purges.append((time.perf_counter() - started) * 1000)
            passes[scale] = (statistics.median(sweeps), statistics.median(purges))
    return passes


def summarise(costs: list[Cost], pick: Any) -> Cost:
    return Cost(*(pick([getattr(c, f) for c in costs])
                  for f in ("transactions", "statements", "redis_commands", "cpu_ms")))


def measure() -> Figures | None:
    if not postgres_available():
        return None
    workdir = Path(tempfile.mkdtemp(prefix="stridewise-event-cost-"))
    costs, history = measure_events(workdir)
    return Figures(len(costs), summarise(costs, statistics.median), summarise(costs, max),
                   history, measure_passes(workdir))


def report(figures: Figures | None) -> str:
    head = "## What one event costs the worker\n\n"
    if figures is None:
        return head + "Not measured: PostgreSQL is not reachable at 127.0.0.1:5432.\n"
    rows = "\n".join(
        f"| {name} | {getattr(figures.median, field):.{digits}f} | "
        f"{getattr(figures.worst, field):.{digits}f} | {goal} |"
        for name, field, digits, goal in (
            ("database transactions", "transactions", 0, "3 or fewer"),
            ("SQL statements", "statements", 0, "8 or fewer"),
            ("Redis commands", "redis_commands", 0, ""),
            ("worker CPU (ms)", "cpu_ms", 1, "")))
    scales = "\n".join(f"| {athletes:,} | {sweep_ms:.1f} | {purge_ms:.1f} |"
                       for athletes, (sweep_ms, purge_ms) in figures.passes.items())
    return (
        head + f"`python -m bench.event_cost`: {figures.events} uploads by one athlete whose "
        f"history is read, among {ATHLETES:,} athletes, on PostgreSQL; each event recorded "
        "as the webhook records it and handled by `worker.sync.handle_event`.\n\n"
        "| per event | median | worst | goal |\n| --- | --- | --- | --- |\n" + rows + "\n\n"
        f"The read of their weeks before the events (the connect's backfill, forced: "
        f"{figures.history.sessions} sessions over {HISTORY_DAYS} days) opened "
        f"{figures.history.transactions} database transactions (goal: 3 or fewer).\n\n"
        f"One sweeper pass and one purge pass with the same work due ({DUE} stale events, "
        f"{DUE} expired activities), median of {PASSES} passes:\n\n"
        "| athletes | sweeper pass (ms) | purge pass (ms) |\n| --- | --- | --- |\n"
        + scales + "\n")


if __name__ == "__main__":
    result = report(measure())
    sys.stdout.write(result)
