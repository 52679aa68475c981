"""While a backfill of 500 activities spends the quota, a live upload still gets its block.

Quota scaled down in time (10 s windows, 30 reads each) so the race is visible in minutes:
the backfill's streams pass may use 70 % of each window; live uploads keep the rest.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx

from analysis.description import find_block
from bench.stack import scaled_quota_env
from worker.config import Settings
from worker.devstack import (
    Stack,
    connect_athlete,
    sandbox_description,
    start_stack,
    subscribe,
    upload,
)

HISTORY = 500
WINDOW_S = 10
READS_PER_WINDOW = 30
LIVE_UPLOADS = 5
ATHLETE = 5005
MIX = ("easy", "intervals", "easy", "hills", "long", "tempo", "fartlek", "recovery")


def seed(settings: Settings) -> None:
    now = datetime.now(UTC)
    with httpx.Client(timeout=30) as client:
        for i in range(HISTORY):
            start = now - timedelta(days=60) + timedelta(hours=i * 60 * 24 / HISTORY * 0.98)
            client.post(f"{settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                        json={"workout": MIX[i % len(MIX)], "seed": i, "notify": False,
                              "start": start.isoformat()}).raise_for_status()


def measure() -> dict[str, float]:
    workdir, env = scaled_quota_env("stridewise-backfill-", WINDOW_S, READS_PER_WINDOW)
    settings = Settings.from_env(env)
    stats_url = f"{settings.strava_base_url}/_sandbox/stats"
    latencies: list[float] = []
    with Stack(env) as stack:
        start_stack(stack, settings, processes=2, threads=4,
                    logs={n: str(workdir / f"{n}.log") for n in ("sandbox", "web", "worker")})
        subscribe(env)
        seed(settings)
        httpx.post(f"{stats_url}/reset")
        connect_athlete(settings, ATHLETE)
        time.sleep(2 * WINDOW_S)  # the backfill lists, then its streams pass fills the windows
        for n in range(LIVE_UPLOADS):
            sent = time.monotonic()
            activity_id = upload(settings, ATHLETE, MIX[n % len(MIX)], seed=10_000 + n)
            while find_block(sandbox_description(settings, activity_id)) is None:
                if time.monotonic() - sent > 10 * WINDOW_S:
                    break
                time.sleep(0.2)
            latencies.append(time.monotonic() - sent)
            time.sleep(WINDOW_S / 2)
        stats = httpx.get(stats_url).json()
    return {"history": HISTORY, "streams_fetched": stats["by_endpoint"].get(
                "GET /activities/{id}/streams", 0),
            "list_requests": stats["by_endpoint"].get("GET /athlete/activities", 0),
            "worst_latency_s": max(latencies),
            "median_latency_s": sorted(latencies)[len(latencies) // 2],
            "uploads": LIVE_UPLOADS, "rate_limited": stats["rate_limited"]}


def report(f: dict[str, float]) -> str:
    return (
        "## Live uploads during a backfill\n\n"
        f"An athlete with {f['history']:.0f} activities in the last 60 days connects; "
        f"STRAVA_RATE_WINDOWS={WINDOW_S},86400, {READS_PER_WINDOW} reads per window, 2 worker "
        f"processes. The backfill listed them in {f['list_requests']:.0f} requests and its "
        "streams pass may spend up to 70 % of every window; meanwhile "
        f"{f['uploads']:.0f} live uploads were made, one every {WINDOW_S * 1.5:.0f} s or so.\n\n"
        f"- upload to block written: median {f['median_latency_s']:.1f} s, worst "
        f"**{f['worst_latency_s']:.1f} s** (goal: within one window, {WINDOW_S} s)\n"
        f"- streams fetched for old activities meanwhile: {f['streams_fetched']:.0f}\n"
        f"- 429 answers: {f['rate_limited']:.0f}\n"
    )


if __name__ == "__main__":
    print(report(measure()))
