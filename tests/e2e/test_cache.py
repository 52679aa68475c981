"""Strava's cache on real processes: nothing outlives STRAVA_CACHE_DAYS, yet the feedback still
knows the athlete's weeks, from one list read."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.description import find_block
from tests.reliability.harness import LiveStack, live_stack
from tests.services import sqlite_url
from tests.support.traces import leftovers, traces

pytestmark = pytest.mark.e2e

ATHLETE = 4343
#: The cache horizon of this test, in seconds: long enough for the uploads to get their
#: blocks (two to four seconds on a loaded two-core machine), short enough to wait for.
HORIZON_S = 12.0
#: Runs uploaded before the horizon passes; each must count in the next block's mix.
EARLIER = ("easy", "intervals", "tempo")
LIST = "GET /athlete/activities"


def upload(live: LiveStack, workout: str, seed: int) -> int:
    answer = live.http.post(f"/_sandbox/athletes/{ATHLETE}/activities",
                            json={"workout": workout, "seed": seed, "description": "Felt fine."})
    answer.raise_for_status()
    return int(answer.json()["id"])


def wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return check()


def mix_total(block: str) -> int:
    line = next(line for line in block.splitlines() if line.startswith("Mix"))
    return sum(int(n) for n in re.findall(r"(\d+) (?:more|[a-z_]+)", line.split(":", 1)[1]
                                          .split(";")[0]))


def test_nothing_outlives_the_cache_and_the_next_block_still_counts_the_earlier_runs(
    tmp_path: Path, redis_url: str
) -> None:
    # On SQLite, the default's database, with web and worker writing to it at once (the purge
    # is tested on both dialects in tests/worker/test_retention.py; the shared stack and
    # test_pipeline.py run on PostgreSQL).
    with live_stack(tmp_path, sqlite_url(tmp_path), redis_url,
                    STRAVA_CACHE_DAYS=str(HORIZON_S / 86_400)) as live:
        live.start(ATHLETE)
        earlier = [upload(live, workout, seed) for seed, workout in enumerate(EARLIER)]
        blocks = live.wait_for_blocks(earlier, timeout=60)
        assert len(blocks) == len(earlier), f"uploads got no block; logs in {tmp_path}"
        words, numbers, labels = traces(live, earlier)
        assert labels and leftovers(live, words, numbers, labels), "nothing was ever cached"

        assert wait_until(lambda: not leftovers(live, words, numbers, labels),
                          timeout=HORIZON_S + 15), leftovers(live, words, numbers, labels)
        assert live.dump()["athletes"], "the athlete outlives the cache"

        live.reset_stats()
        [later] = [upload(live, "easy", seed=len(EARLIER))]
        found = live.wait_for_blocks([later], timeout=60)
        stats = live.stats()

    assert found, f"the upload after the horizon got no block; logs in {tmp_path}"
    block = find_block(found[later])
    assert block is not None
    assert mix_total(found[later]) >= len(EARLIER) + 1, found[later]
    assert stats["by_endpoint"].get(LIST, 0) == 1
