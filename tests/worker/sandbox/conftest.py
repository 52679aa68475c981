"""Sandbox test fixtures: a frozen clock, hand-built activities, an app and a connected athlete."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
import pytest

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork; the plain httpx it falls back to works the same.
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from analysis.model import Activity, Lap, Streams
from worker.ratelimits import RateLimits, RateWindows
from worker.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, create_app
from worker.sandbox.config import SandboxConfig
from worker.sandbox.control import store_activity
from worker.sandbox.runtime import Sandbox

#: A Monday, 10:00 UTC, aligned to both windows' boundaries only by accident of choice.
T0 = 1_717_408_800.0


class FrozenClock:
    """Time stands still until a test moves it."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def interval_run(start: datetime, reps: int = 4, with_hr: bool = True) -> Activity:
    """Warm-up, ``reps`` x (3 min fast, 2 min jog), cool-down, sampled at 1 Hz."""
    speeds = [2.8] * 600
    for _ in range(reps):
        speeds += [4.5] * 180 + [2.5] * 120
    speeds += [2.7] * 600
    speed = np.array(speeds, dtype=np.float64)
    time = np.arange(speed.size, dtype=np.float64)
    distance = np.concatenate([[0.0], np.cumsum(speed[1:])])
    heartrate = 120.0 + 12.0 * speed if with_hr else None
    streams = Streams(
        time=time, distance=distance, speed=speed, moving=np.ones(speed.size, dtype=bool),
        heartrate=heartrate, altitude=760.0 + 5.0 * np.sin(time / 300.0),
        cadence=np.full(speed.size, 170.0), grade=np.zeros(speed.size),
    )
    laps = tuple(
        Lap(start_s=float(a), elapsed_s=float(b - a), moving_s=float(b - a),
            distance_m=float(distance[b - 1] - distance[a]),
            avg_hr=None if heartrate is None else float(heartrate[a:b].mean()),
            max_hr=None if heartrate is None else float(heartrate[a:b].max()))
        for a, b in zip([0, 600, 1800], [600, 1800, speed.size], strict=True)
    )
    return Activity(
        sport="Run", start=start, elapsed_s=float(speed.size), moving_s=float(speed.size),
        distance_m=float(distance[-1]), ascent_m=12.0,
        avg_hr=None if heartrate is None else float(heartrate.mean()),
        max_hr=None if heartrate is None else float(heartrate.max()),
        laps=laps, streams=streams,
    )


def strength_session(start: datetime) -> Activity:
    return Activity(sport="WeightTraining", start=start, elapsed_s=2700.0, moving_s=2700.0,
                    distance_m=0.0, avg_hr=105.0, max_hr=140.0, manual=True)


@dataclass
class Harness:
    client: TestClient
    sandbox: Sandbox
    clock: FrozenClock

    def connect(self, athlete_id: int, scope: str = "activity:read_all,activity:write",
                deny_scope: str = "") -> dict[str, Any]:
        """Authorize through /oauth and exchange the code; returns the token response."""
        params: dict[str, str | int] = {"client_id": SANDBOX_CLIENT_ID, "redirect_uri": "http://app.test/cb",
                  "response_type": "code", "scope": scope, "state": "s1",
                  "sandbox_athlete": athlete_id}
        if deny_scope:
            params["sandbox_deny_scope"] = deny_scope
        redirect = self.client.get("/oauth/authorize", params=params, follow_redirects=False)
        code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
        response = self.client.post("/oauth/token", data={
            "client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET,
            "code": code, "grant_type": "authorization_code"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def add_run(self, athlete_id: int, minutes_ago: float = 60, private: bool = False) -> int:
        start = datetime.fromtimestamp(self.clock.now - minutes_ago * 60, UTC)
        return store_activity(self.sandbox, athlete_id, interval_run(start), private=private).id


def config(limits: str = "200,2000;100,1000", windows: str = "900,86400") -> SandboxConfig:
    return SandboxConfig(quota=RateLimits.parse(limits), windows=RateWindows.parse(windows),
                         history_days=0, webhook_backoff_s=0.01)


@contextmanager
def running(sandbox_config: SandboxConfig, clock: FrozenClock | None = None,
            transport: httpx.AsyncBaseTransport | None = None) -> Iterator[Harness]:
    """A sandbox app with its lifespan (and so its webhook sender) running."""
    clock = clock or FrozenClock()
    app = create_app(sandbox_config, clock=clock, transport=transport)
    with TestClient(app) as client:
        yield Harness(client, app.state.sandbox, clock)


@pytest.fixture
def harness() -> Iterator[Harness]:
    with running(config()) as harness:
        yield harness


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
