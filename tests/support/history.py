"""One athlete's weeks at the sandbox Strava, as the history and backfill tests read them: a
history seeded there, and uploads that send no webhook."""

from __future__ import annotations

from tests.support import http
from worker.runtime import Runtime

ATHLETE = 6160


def seed_history(rt: Runtime, days: int = 28) -> list[int]:
    answer = http.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/history",
                       json={"days": days, "seed": 3})
    return list(answer.json()["ids"])


def upload(rt: Runtime, workout: str, seed: int) -> int:
    answer = http.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                       json={"workout": workout, "seed": seed, "notify": False})
    return int(answer.json()["id"])
