"""What one webhook event costs the worker: transactions, SQL statements, Redis, CPU.

An athlete is connected among many others (10,000 rows in ``athletes``) on PostgreSQL and a
redis-server of the benchmark's own; their history is read first, so each event is the
steady-state case of an upload by a known athlete. Each event goes the way it goes in
production: recorded in the inbox as the webhook records it, sent to dramatiq's queue as the
web process sends it, fetched as a worker's consumer fetches it, handled by the actor's
function (``worker.tasks``: ``sync.handle_event`` and the job's counts), and acknowledged.
Counted per event, from the measuring thread alone:

- transactions: SQLAlchemy ``begin`` events of the worker's engine;
- SQL statements: ``before_cursor_execute`` events (each round trip to the database);
- Redis round trips (what the client sends and waits for: a pipeline is one) and Redis
  commands as the server counts them (``INFO commandstats``, less the benchmark's own INFO;
  the commands a Lua script runs count too), the actor's apart from dramatiq's (the send, the
  consumer's fetch and its ack);
- CPU: ``time.thread_time`` of the actor's function (the sandbox Strava answers from another
  thread of this process, so its work is not counted).

The history read before the events (the connect's backfill of HISTORY_DAYS) is counted the
same way: the transactions of one read of the athlete's weeks. So are a few uploads whose
weeks are not cached (the athlete's window cleared first): the event reads them before its own
work.

The sweeper's and the cache purge's time per pass is measured at 1,000, 10,000 and 100,000
athletes with the same work due (a handful of stale events, expired activities and expired
histories), every other athlete's history read within the horizon, and the tables analysed as
PostgreSQL's autovacuum analyses them after a bulk load: a pass should cost what is due, not
what is stored.

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
import redis
import uvicorn
from redis.connection import Connection, ConnectionPool
from sqlalchemy import event, insert, text, update
from starlette.testclient import TestClient

from tests.services import RedisServer, free_port, postgres_available, postgres_database
from worker import retention, tasks
from worker.backfill import backfill
from worker.budget import across_resets
from worker.config import Settings
from worker.history import LINGER_S
from worker.migrate import upgrade
from worker.models import Activity, Athlete, InboxEvent, utcnow
from worker.queue import HANDLE_EVENT, LIVE_QUEUE, enqueue
from worker.runtime import Runtime
from worker.sandbox.app import create_app as create_sandbox
from worker.sandbox.config import SandboxConfig
from worker.sweeper import sweep
from worker.web import create_app

#: Athletes in the database besides the one whose events are measured.
ATHLETES = 10_000
#: Events measured; the first is left out of the figures (imports and caches warm up on it).
EVENTS = 21
#: Uploads measured whose athlete's weeks are not cached (read by the event first).
COLD_EVENTS = 3
#: Athlete counts at which a sweeper pass and a purge pass are timed.
SCALES = (1_000, 10_000, 100_000)
#: Work due at every scale: stale inbox events for the sweeper, expired activities for the purge.
DUE = 20
#: The measured athlete, and the days of history the sandbox holds for them.
ATHLETE = 9_001_001
HISTORY_DAYS = 28
#: Passes timed per scale; the median is reported.
PASSES = 5
#: The goals of issue 22, per event.
GOAL_TRANSACTIONS = 3
GOAL_STATEMENTS = 8


@dataclass(frozen=True)
class Cost:
    transactions: float
    statements: float
    redis_round_trips: float
    redis_commands: float
    dramatiq_round_trips: float
    dramatiq_commands: float
    cpu_ms: float


FIELDS = ("transactions", "statements", "redis_round_trips", "redis_commands",
          "dramatiq_round_trips", "dramatiq_commands", "cpu_ms")


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
    cold: Cost  # median of the uploads whose weeks were not cached
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


class RoundTrips:
    """What the measuring thread sends Redis: round trips (a pipeline is one)."""

    thread = threading.get_ident()
    count = 0


class CountingConnection(Connection):
    """A Redis connection that counts the measuring thread's round trips."""

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if threading.get_ident() == RoundTrips.thread:
            RoundTrips.count += 1
        super().send_packed_command(command, check_health)


def redis_calls(rt: Runtime) -> int:
    """Commands the server ran so far, by its own count (a script's commands included)."""
    stats = rt.redis.info("commandstats")
    return sum(int(entry["calls"]) for entry in stats.values())


class RedisSpent:
    """Round trips and server commands between two marks (the marks' INFO left out)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.trips, self.commands = 0, 0

    def __enter__(self) -> RedisSpent:
        # The server counts this INFO once it has answered: in the next mark's figure.
        self.commands = -redis_calls(self.rt) - 1
        self.trips = -RoundTrips.count  # after this INFO
        return self

    def __exit__(self, *_: object) -> None:
        self.trips += RoundTrips.count  # before this mark's INFO
        self.commands += redis_calls(self.rt)


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
        pool = ConnectionPool.from_url(redis_server.url, connection_class=CountingConnection)
        rt.redis = redis.Redis(connection_pool=pool)  # before the broker is built on it
        upgrade(rt.db.engine)
        try:
            yield rt
        finally:
            rt.db.dispose()


def add_athletes(rt: Runtime, count: int, first_id: int = 1) -> None:
    """``count`` athletes whose histories were read within the cache horizon (none is due)."""
    now, horizon = utcnow(), rt.settings.cache_horizon
    rows = []
    for n in range(count):
        read_at = now - horizon * (n % 10) / 20
        rows.append({"id": first_id + n, "access_token": "-", "refresh_token": "-",
                     "expires_at": 0, "scope": "activity:read_all,activity:write",
                     "history_read_at": read_at,
                     "history_since": read_at - timedelta(days=HISTORY_DAYS)})
    with rt.db.session() as session:
        for start in range(0, len(rows), 10_000):
            session.execute(insert(Athlete), rows[start:start + 10_000])
    with rt.db.engine.connect() as connection:  # as autovacuum does after a bulk load
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


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


def handle(rt: Runtime, actors: tasks.Actors, counter: Counter, event_id: int) -> Cost:
    """One event as a worker handles it: dramatiq's send, fetch and ack around the actor."""
    if rt.budget.short_window_left() < 2:  # the budget refuses in a window's last second
        time.sleep(rt.budget.short_window_left() + 0.1)
    with RedisSpent(rt) as sent:
        enqueue(rt.broker, HANDLE_EVENT, LIVE_QUEUE, event_id)  # the web process, after the 200
        consumer = rt.broker.consume(LIVE_QUEUE, prefetch=1, timeout=1000)
        message = None
        while message is None:
            message = next(consumer)
    before = (counter.transactions, counter.statements)
    with RedisSpent(rt) as ours:
        cpu = time.thread_time()
        actors.handle_event.fn(event_id)
        cpu_ms = (time.thread_time() - cpu) * 1000
    after = (counter.transactions, counter.statements)
    with RedisSpent(rt) as acked:
        consumer.ack(message)
        consumer.close()
    return Cost(after[0] - before[0], after[1] - before[1], ours.trips, ours.commands,
                sent.trips + acked.trips, sent.commands + acked.commands, cpu_ms)


def measure_events(workdir: Path) -> tuple[list[Cost], HistoryRead, list[Cost]]:
    with sandbox() as strava_url, runtime(workdir, strava_url) as rt:
        add_athletes(rt, ATHLETES)
        httpx.post(f"{strava_url}/_sandbox/athletes/{ATHLETE}/history",
                   json={"days": HISTORY_DAYS, "seed": 7}).raise_for_status()
        connect(rt)
        actors = tasks.build(rt)
        counter = Counter(rt)
        sessions = across_resets(lambda: backfill(rt, ATHLETE, force=True))
        history = HistoryRead(sessions, counter.transactions)
        costs = [handle(rt, actors, counter, record(rt, upload(rt, seed)))
                 for seed in range(EVENTS)]
        cold = []
        for seed in range(EVENTS, EVENTS + COLD_EVENTS):
            time.sleep(LINGER_S)  # the last read's lock lapses, as days before an expiry
            with rt.db.session() as session:  # the athlete's weeks expired
                session.execute(update(Athlete).where(Athlete.id == ATHLETE)
                                .values(history_read_at=None, history_since=None))
            cold.append(handle(rt, actors, counter, record(rt, upload(rt, seed))))
        return costs[1:], history, cold


def due_work(rt: Runtime) -> None:
    """DUE stale events, DUE expired activities and DUE expired histories, whatever the number
    of athletes."""
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
        session.execute(update(Athlete).where(Athlete.id <= DUE).values(
            history_read_at=long_ago, history_since=long_ago - timedelta(days=HISTORY_DAYS)))


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
    return Cost(*(pick([getattr(c, f) for c in costs]) for f in FIELDS))


def measure() -> Figures | None:
    if not postgres_available():
        return None
    workdir = Path(tempfile.mkdtemp(prefix="stridewise-event-cost-"))
    costs, history, cold = measure_events(workdir)
    return Figures(len(costs), summarise(costs, statistics.median), summarise(costs, max),
                   history, summarise(cold, statistics.median), measure_passes(workdir))


def report(figures: Figures | None) -> str:
    head = "## What one event costs the worker\n\n"
    if figures is None:
        return head + "Not measured: PostgreSQL is not reachable at 127.0.0.1:5432.\n"
    rows = "\n".join(
        f"| {name} | {getattr(figures.median, field):.{digits}f} | "
        f"{getattr(figures.worst, field):.{digits}f} | "
        f"{getattr(figures.cold, field):.{digits}f} | {goal} |"
        for name, field, digits, goal in (
            ("database transactions", "transactions", 0, f"{GOAL_TRANSACTIONS} or fewer"),
            ("SQL statements", "statements", 0, f"{GOAL_STATEMENTS} or fewer"),
            ("Redis round trips, the worker's", "redis_round_trips", 0, ""),
            ("Redis commands, the worker's (scripts' own included)", "redis_commands", 0, ""),
            ("Redis round trips, dramatiq's (send, fetch, ack)", "dramatiq_round_trips", 0, ""),
            ("Redis commands, dramatiq's (scripts' own included)", "dramatiq_commands", 0, ""),
            ("worker CPU (ms)", "cpu_ms", 1, "")))
    scales = "\n".join(f"| {athletes:,} | {sweep_ms:.1f} | {purge_ms:.1f} |"
                       for athletes, (sweep_ms, purge_ms) in figures.passes.items())
    return (
        head + f"`python -m bench.event_cost`: {figures.events} uploads by one athlete whose "
        f"history is read, among {ATHLETES:,} athletes, on PostgreSQL; each event recorded "
        "as the webhook records it, sent, fetched and acknowledged through dramatiq's Redis "
        "broker, and handled by the actor's function (`worker.sync.handle_event` and the "
        f"job's counts). The last column: {COLD_EVENTS} uploads (median) whose athlete's "
        "weeks were not cached, read by the event first.\n\n"
        "| per event | median | worst | weeks not cached | goal |\n"
        "| --- | --- | --- | --- | --- |\n" + rows + "\n\n"
        f"The read of their weeks before the events (the connect's backfill, forced: "
        f"{figures.history.sessions} sessions over {HISTORY_DAYS} days) opened "
        f"{figures.history.transactions} database transactions (goal: 3 or fewer).\n\n"
        f"One sweeper pass and one purge pass with the same work due ({DUE} stale events, "
        f"{DUE} expired activities, {DUE} expired histories; every other athlete's history "
        f"read within the horizon), median of {PASSES} passes:\n\n"
        "| athletes | sweeper pass (ms) | purge pass (ms) |\n| --- | --- | --- |\n"
        + scales + "\n")


if __name__ == "__main__":
    result = report(measure())
    sys.stdout.write(result)
