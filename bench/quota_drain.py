"""A backlog of 200 activities against a quota scaled down in time: how much of it is used.

The sandbox and the app share STRAVA_RATE_WINDOWS=10,86400 and 30 reads per 10 s window; two
worker processes drain the backlog. The sandbox's own usage counter is sampled several times a
second; each full window's peak, against the 30 allowed, is the share of the quota used.
"""

from __future__ import annotations

import statistics
import time

import httpx

from bench.stack import scaled_quota_env
from worker.config import Settings
from worker.devstack import Stack, connect_athlete, start_stack, subscribe, upload

BACKLOG = 200
WINDOW_S = 10
READS_PER_WINDOW = 30
ATHLETE = 4711
MIX = ("easy", "intervals", "easy", "hills", "strength", "long", "cross_training", "tempo")


def measure() -> dict[str, float]:
    workdir, env = scaled_quota_env("stridewise-drain-", WINDOW_S, READS_PER_WINDOW)
    settings = Settings.from_env(env)
    stats_url = f"{settings.strava_base_url}/_sandbox/stats"
    with Stack(env) as stack:
        start_stack(stack, settings, processes=2, threads=4,
                    logs={n: str(workdir / f"{n}.log") for n in ("sandbox", "web", "worker")})
        subscribe(env)
        connect_athlete(settings, ATHLETE)
        time.sleep(WINDOW_S)  # the connect-time backfill settles
        ids = [upload(settings, ATHLETE, MIX[i % len(MIX)], seed=i) for i in range(BACKLOG)]
        started = time.time()
        peaks: dict[int, int] = {}
        puts = 0
        stats: dict = {}
        while puts < BACKLOG and time.time() - started < 40 * WINDOW_S * BACKLOG / READS_PER_WINDOW:
            stats = httpx.get(stats_url).json()
            now = time.time()
            window = int(now // WINDOW_S)
            peaks[window] = max(peaks.get(window, 0), int(stats["usage"]["read"][0]))
            puts = int(stats["by_endpoint"].get("PUT /activities/{id}", 0))
            time.sleep(0.1)
        elapsed = time.time() - started
    windows = sorted(peaks)
    full = [peaks[w] for w in windows[1:-1]]  # the first and last are partly outside the drain
    requests = sum(int(stats["by_activity"].get(str(i), 0)) for i in ids)
    return {
        "activities": BACKLOG, "posted": puts, "elapsed_s": elapsed, "requests": requests,
        "windows": len(full), "share_used": statistics.mean(full) / READS_PER_WINDOW,
        "worst_window": min(full) / READS_PER_WINDOW, "rate_limited": stats["rate_limited"],
    }


def report(f: dict[str, float]) -> str:
    return (
        "## Draining a backlog at a scaled-down quota\n\n"
        f"{f['activities']:.0f} uploads queued at once; STRAVA_RATE_WINDOWS={WINDOW_S},86400 and "
        f"{READS_PER_WINDOW} reads per window on both sides; 2 worker processes x 4 threads, "
        "embedded SQLite and Redis.\n\n"
        f"- posted: {f['posted']:.0f} of {f['activities']:.0f} in {f['elapsed_s']:.0f} s "
        f"({f['requests']:.0f} requests, {f['requests'] / max(f['posted'], 1):.2f} per activity)\n"
        f"- share of each full window's read quota used: **{100 * f['share_used']:.1f} %** on "
        f"average over {f['windows']:.0f} windows (worst {100 * f['worst_window']:.0f} %; "
        "goal >= 95 %)\n"
        f"- 429 answers: {f['rate_limited']:.0f}\n"
    )


if __name__ == "__main__":
    print(report(measure()))
