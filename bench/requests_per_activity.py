"""Strava requests per activity over a realistic mix, with sandbox, web and worker as processes."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from analysis.description import find_block
from worker.config import Settings
from worker.devstack import (
    Stack,
    connect_athlete,
    local_env,
    sandbox_description,
    start_stack,
    subscribe,
    upload,
)

#: A week-in, week-out mix: mostly easy runs, some quality, strength and cross training.
MIX = (("easy", 8), ("long", 2), ("recovery", 2), ("intervals", 3), ("tempo", 2), ("hills", 2),
       ("sprints", 1), ("fartlek", 1), ("race", 1), ("strength", 4), ("cross_training", 4))
ATHLETE = 777


def measure() -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="stridewise-bench-"))
    env = local_env(str(workdir / "var"))
    settings = Settings.from_env(env)
    uploads = [w for w, n in MIX for _ in range(n)]
    with Stack(env) as stack:
        start_stack(stack, settings, processes=1, threads=4,
                    logs={n: str(workdir / f"{n}.log") for n in ("sandbox", "web", "worker")})
        subscribe(env)
        connect_athlete(settings, ATHLETE)
        time.sleep(2)  # let the connect-time backfill finish before counting
        httpx.post(f"{settings.strava_base_url}/_sandbox/stats/reset")
        ids = [upload(settings, ATHLETE, workout, seed) for seed, workout in enumerate(uploads)]
        pending, deadline = set(ids), time.monotonic() + 180
        while pending and time.monotonic() < deadline:
            pending = {i for i in pending if find_block(sandbox_description(settings, i)) is None}
            time.sleep(0.5)
        stats = httpx.get(f"{settings.strava_base_url}/_sandbox/stats").json()
    counts = [int(stats["by_activity"].get(str(i), 0)) for i in ids]
    by_endpoint = Counter({k: v for k, v in stats["by_endpoint"].items() if "activities/{id}" in k})
    return {"activities": len(ids), "without_block": len(pending), "requests": sum(counts),
            "per_activity": sum(counts) / len(ids), "by_endpoint": dict(by_endpoint),
            "rate_limited": stats["rate_limited"]}


def report(figures: dict[str, object]) -> str:
    endpoints = "\n".join(f"| {k} | {v} |" for k, v in sorted(figures["by_endpoint"].items()))  # type: ignore[union-attr]
    mix = ", ".join(f"{n} {w}" for w, n in MIX)
    return (
        "## Strava requests per activity\n\n"
        f"{figures['activities']} uploads to the sandbox ({mix}), handled by web and one worker "
        "process as real processes; every request the sandbox saw for those activities:\n\n"
        f"- requests per activity: **{figures['per_activity']:.2f}** "
        f"({figures['requests']} requests; floor is 2: one read, one write)\n"
        f"- activities without a block at the end: {figures['without_block']}\n"
        f"- 429 answers: {figures['rate_limited']}\n\n"
        "| endpoint | requests |\n| --- | --- |\n" + endpoints + "\n"
    )


if __name__ == "__main__":
    print(report(measure()))
