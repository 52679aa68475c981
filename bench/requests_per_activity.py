"""Strava requests per activity over a realistic mix, with sandbox, web and worker as processes."""

from __future__ import annotations

import random
import re
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
from worker.tokens import REFRESH_MARGIN_S

#: A week-in, week-out mix: mostly easy runs, some quality, strength and cross training.
MIX = (("easy", 8), ("long", 2), ("recovery", 2), ("intervals", 3), ("tempo", 2), ("hills", 2),
       ("sprints", 1), ("fartlek", 1), ("race", 1), ("strength", 4), ("cross_training", 4))
#: Entered by hand on strava.com rather than recorded: a run and a ride without a device.
MANUAL = (("easy", 1), ("cross_training", 1))
ATHLETE = 777
#: Weeks of training the athlete has on Strava when they connect (the backfill reads them).
HISTORY_DAYS = 42
#: The month of an athlete who uploads 5 activities a week, with the cache shrunk so that a
#: week lasts WEEK_S seconds: each week's history expires as it would over 7 days.
WEEKS, PER_WEEK, WEEK_S = 4, 5, 16.0
LIST = "GET /athlete/activities"
TOKEN = "POST /oauth/token"


def _environment() -> tuple[Path, dict[str, str]]:
    workdir = Path(tempfile.mkdtemp(prefix="stridewise-bench-"))
    env = local_env(str(workdir / "var"))
    # The quota is not what this measures: room enough that nothing waits for a window.
    env["STRAVA_RATE_LIMITS"] = "20000,200000;10000,100000"
    return workdir, env


def _pool() -> list[tuple[str, bool]]:
    """The uploads of the mix: (workout, entered by hand)."""
    return ([(w, False) for w, n in MIX for _ in range(n)]
            + [(w, True) for w, n in MANUAL for _ in range(n)])


def _start(stack: Stack, settings: Settings, env: dict[str, str], workdir: Path) -> None:
    """Sandbox, web and one worker up, subscribed, and the athlete's past at the sandbox."""
    start_stack(stack, settings, processes=1, threads=4,
                logs={n: str(workdir / f"{n}.log") for n in ("sandbox", "web", "worker")})
    subscribe(env)
    httpx.post(f"{settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/history",
               json={"days": HISTORY_DAYS, "seed": 1}).raise_for_status()


def measure() -> dict[str, object]:
    workdir, env = _environment()
    settings = Settings.from_env(env)
    uploads = _pool()
    with Stack(env) as stack:
        _start(stack, settings, env, workdir)
        connect_athlete(settings, ATHLETE)
        _wait_for_backfill(settings)
        httpx.post(f"{settings.strava_base_url}/_sandbox/stats/reset")
        ids = [upload(settings, ATHLETE, workout, seed, manual=manual)
               for seed, (workout, manual) in enumerate(uploads)]
        pending = _wait_for_blocks(settings, ids, 180)
        stats = httpx.get(f"{settings.strava_base_url}/_sandbox/stats").json()
    counts = [int(stats["by_activity"].get(str(i), 0)) for i in ids]
    by_label: dict[str, list[int]] = {}
    for (workout, manual), count in zip(uploads, counts, strict=True):
        by_label.setdefault(f"manual {workout}" if manual else workout, []).append(count)
    by_endpoint = Counter({k: v for k, v in stats["by_endpoint"].items() if "activities/{id}" in k})
    return {"activities": len(ids), "without_block": len(pending), "requests": sum(counts),
            "per_activity": sum(counts) / len(ids), "by_endpoint": dict(by_endpoint),
            "rate_limited": stats["rate_limited"],
            "by_label": {k: sum(v) / len(v) for k, v in by_label.items()}}


def measure_weeks() -> dict[str, object]:
    """Requests of an athlete who connects, then uploads PER_WEEK a week for WEEKS weeks, with
    every history read the cache's expiry causes and every token refresh.

    Access tokens are issued for REFRESH_MARGIN_S + 1 s, so the worker finds the token of the
    previous upload stale, as it does over the day or more between real uploads (Strava's
    tokens last 6 hours), and uses one token throughout an upload.
    """
    workdir, env = _environment()
    env["STRAVA_CACHE_DAYS"] = str(WEEK_S / 86_400)
    env["STRIDEWISE_SWEEP_INTERVAL"] = "1"
    env["SANDBOX_TOKEN_TTL"] = str(REFRESH_MARGIN_S + 1)
    settings = Settings.from_env(env)
    uploads = random.Random(1).sample(_pool(), WEEKS * PER_WEEK)
    with Stack(env) as stack:
        _start(stack, settings, env, workdir)
        httpx.post(f"{settings.strava_base_url}/_sandbox/stats/reset")
        connect_athlete(settings, ATHLETE)
        _wait_for_backfill(settings)
        on_connect = httpx.get(f"{settings.strava_base_url}/_sandbox/stats").json()
        httpx.post(f"{settings.strava_base_url}/_sandbox/stats/reset")
        ids: list[int] = []
        for seed, (workout, manual) in enumerate(uploads):
            ids.append(upload(settings, ATHLETE, workout, seed, manual=manual))
            time.sleep(WEEK_S / PER_WEEK)
        pending = _wait_for_blocks(settings, ids, 120)
        stats = httpx.get(f"{settings.strava_base_url}/_sandbox/stats").json()
    api = {k: v for k, v in stats["by_endpoint"].items() if "/oauth/" not in k}
    return {"activities": len(ids), "without_block": len(pending),
            "requests": sum(api.values()), "list_reads": api.get(LIST, 0),
            "per_activity": sum(api.values()) / len(ids), "by_endpoint": api,
            "token_refreshes": stats["by_endpoint"].get(TOKEN, 0),
            "undecided_after_reads": _undecided_per_read(workdir / "worker.log")[1:],
            "on_connect": {k: v for k, v in on_connect["by_endpoint"].items()
                           if "/oauth/" not in k}}


def measure_connect(uploads: int = 7) -> dict[str, object]:
    """A newly connected athlete whose first uploads arrive the moment they are connected, as
    `make run` does, most likely before the connect's history read is done: how often the
    list is read for all of them."""
    workdir, env = _environment()
    settings = Settings.from_env(env)
    with Stack(env) as stack:
        _start(stack, settings, env, workdir)
        httpx.post(f"{settings.strava_base_url}/_sandbox/stats/reset")
        connect_athlete(settings, ATHLETE)
        ids = [upload(settings, ATHLETE, workout, seed, manual=manual)
               for seed, (workout, manual) in enumerate(_pool()[:uploads])]
        pending = _wait_for_blocks(settings, ids, 120)
        _wait_for_backfill(settings)
        stats = httpx.get(f"{settings.strava_base_url}/_sandbox/stats").json()
    on_uploads = sum(int(stats["by_activity"].get(str(i), 0)) for i in ids)
    return {"uploads": uploads, "without_block": len(pending),
            "list_reads": stats["by_endpoint"].get(LIST, 0), "on_uploads": on_uploads,
            "by_endpoint": {k: v for k, v in stats["by_endpoint"].items() if "/oauth/" not in k}}


def _wait_for_blocks(settings: Settings, ids: list[int], timeout: float) -> set[int]:
    """Until every activity has its block or ``timeout`` passes; returns those without."""
    pending, deadline = set(ids), time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending = {i for i in pending if find_block(sandbox_description(settings, i)) is None}
        time.sleep(0.5)
    return pending


def _undecided_per_read(worker_log: Path) -> list[int]:
    """For each history read in the worker's log, how many summaries could not decide: what a
    streams pass after that read would fetch."""
    found = []
    for line in worker_log.read_text().splitlines():
        match = re.search(r"history read: \d+ summaries, (\d+) undecided", line)
        if match:
            found.append(int(match.group(1)))
    return found


def _wait_for_backfill(settings: Settings, quiet_s: float = 3.0, timeout: float = 120.0) -> None:
    """Until the sandbox has seen no request for ``quiet_s``: the connect-time backfill (its
    summaries, then the streams of what they could not decide) is over."""
    stats = f"{settings.strava_base_url}/_sandbox/stats"
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        total = httpx.get(stats).json()["requests"]
        if total != last:
            last, since = total, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        time.sleep(0.25)
    raise TimeoutError("the connect-time backfill did not finish")


def report(figures: dict[str, object]) -> str:
    endpoints = "\n".join(f"| {k} | {v} |" for k, v in sorted(figures["by_endpoint"].items()))  # type: ignore[attr-defined]
    labels = "\n".join(f"| {k} | {v:.2f} |" for k, v in figures["by_label"].items())  # type: ignore[attr-defined]
    mix = ", ".join([f"{n} {w}" for w, n in MIX] + [f"{n} manual {w}" for w, n in MANUAL])
    return (
        "## Strava requests per activity\n\n"
        "`python -m bench.requests_per_activity` (this section and the two below it).\n\n"
        f"{figures['activities']} uploads to the sandbox ({mix}) by an athlete who connected "
        f"with {HISTORY_DAYS} days of history, handled by web and one worker process as real "
        "processes; every request the sandbox saw for those activities:\n\n"
        f"- requests per activity: **{figures['per_activity']:.2f}** "
        f"({figures['requests']} requests; floor is 2: one read, one write)\n"
        f"- activities without a block at the end: {figures['without_block']}\n"
        f"- 429 answers: {figures['rate_limited']}\n\n"
        "| endpoint | requests |\n| --- | --- |\n" + endpoints + "\n\n"
        "Requests per activity by kind (the streams are fetched only where the summary, laps "
        "and splits cannot decide), to weigh another mix with:\n\n"
        "| kind | requests per activity |\n| --- | --- |\n" + labels + "\n"
    )


#: The kinds of request an upload can cost, with the least each can be.
KINDS = (
    ("read the activity (description, laps, splits)", "GET /activities/{id}",
     "1: the description is read before the block is merged into it"),
    ("write the block", "PUT /activities/{id}", "1"),
    ("history read", LIST, f"one per cache period: 1/{PER_WEEK} at {PER_WEEK} a week"),
    ("units with the history read (Strava's measurement preference expires with it)",
     "GET /athlete", f"1/{PER_WEEK} until the athlete chooses units in settings, then 0"),
    ("streams", "GET /activities/{id}/streams",
     "only where summary, laps and splits cannot decide (see \"What the summary decides\")"),
)


def report_weeks(figures: dict[str, object]) -> str:
    endpoints: dict[str, int] = figures["by_endpoint"]  # type: ignore[assignment]
    n = int(figures["activities"])  # type: ignore[call-overload]
    known = {endpoint for _, endpoint, _ in KINDS}
    rows = [f"| {kind} | {endpoint} | {endpoints.get(endpoint, 0)} | "
            f"{endpoints.get(endpoint, 0) / n:.2f} | {least} |" for kind, endpoint, least in KINDS]
    other = {k: v for k, v in endpoints.items() if k not in known}
    if other:
        rows.append(f"| other | {', '.join(sorted(other))} | {sum(other.values())} | "
                    f"{sum(other.values()) / n:.2f} | 0 |")
    tokens = int(figures["token_refreshes"])  # type: ignore[call-overload]
    rows.append(f"| token refresh (not an API request) | {TOKEN} | {tokens} | {tokens / n:.2f} | "
                "one per upload more than 6 h after the athlete's last request |")
    connect = ", ".join(f"{k}: {v}" for k, v in sorted(figures["on_connect"].items()))  # type: ignore[attr-defined]
    undecided = ", ".join(map(str, figures["undecided_after_reads"]))  # type: ignore[call-overload]
    return (
        "### With the cache's history reads: 5 uploads a week for 4 weeks\n\n"
        f"The same mix, {n} uploads drawn from it, {PER_WEEK} a week for "
        f"{WEEKS} weeks, with STRAVA_CACHE_DAYS shrunk so that a week lasts {WEEK_S:g} s: the "
        "athlete's history expires each week as it would over 7 days and is read again from "
        "Strava's list when an upload needs it; access tokens are stale by the next upload, as "
        "over the day or more between real ones. Every request the sandbox saw after the "
        "connect:\n\n"
        f"- requests per activity: **{figures['per_activity']:.2f}** "
        f"({figures['requests']} API requests, of which {figures['list_reads']} history reads; "
        "goal <= 2.35)\n"
        f"- activities without a block at the end: {figures['without_block']}\n"
        f"- on connect (the backfill, before the first upload): {connect}\n"
        f"- summaries each later history read could not decide (what a streams pass after it "
        f"would read): {undecided or 'none'}\n\n"
        "| kind | endpoint | requests | per activity | least it can be |\n"
        "| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n"
        "Why the goal is below this mix's floor, and where requests could be wasted: "
        "docs/requests-per-activity.md.\n"
    )


def report_connect(figures: dict[str, object]) -> str:
    endpoints = ", ".join(f"{k}: {v}" for k, v in sorted(figures["by_endpoint"].items()))  # type: ignore[attr-defined]
    return (
        "### A newly connected athlete\n\n"
        f"The athlete connects with {HISTORY_DAYS} days of history and uploads "
        f"{figures['uploads']} activities the moment it is connected (as "
        "`make run` does):\n\n"
        f"- history reads: **{figures['list_reads']}** for the connect and all "
        f"{figures['uploads']} uploads\n"
        f"- uploads without a block at the end: {figures['without_block']}\n"
        f"- requests for the uploads themselves: {figures['on_uploads']} "
        f"({figures['on_uploads'] / figures['uploads']:.2f} per upload)\n"  # type: ignore[operator]
        f"- every API request: {endpoints}\n"
    )


if __name__ == "__main__":
    print(report(measure()))
    print(report_weeks(measure_weeks()))
    print(report_connect(measure_connect()))
