"""Strava's cache on real processes: nothing outlives STRAVA_CACHE_DAYS, yet the feedback still
knows the athlete's weeks, from one list read."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from analysis.description import find_block
from tests.reliability.harness import LiveStack, live_stack
from tests.services import sqlite_url
from worker.models import Activity

pytestmark = pytest.mark.e2e

ATHLETE = 4343
#: The cache horizon of this test, in seconds: long enough for the uploads to get their
#: blocks (two to four seconds on a loaded two-core machine), short enough to wait for.
HORIZON_S = 12.0
#: Runs uploaded before the horizon passes; each must count in the next block's mix.
EARLIER = ("easy", "intervals", "tempo")
#: Fields of a Strava activity whose values must not outlive the horizon.
NUMBERS = ("distance", "moving_time", "elapsed_time", "average_heartrate", "max_heartrate",
           "total_elevation_gain", "average_speed")
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


def traces(live: LiveStack, ids: list[int]) -> tuple[set[str], set[float], set[str]]:
    """The ids and names, the numbers and our labels of ``ids``, to look for in the database."""
    words: set[str] = set()
    numbers: set[float] = set()
    for activity_id in ids:
        detail: dict[str, Any] = live.http.get(f"/_sandbox/activities/{activity_id}").json()
        words |= {str(activity_id), str(detail.get("name") or "")} - {""}
        numbers |= {float(detail[k]) for k in NUMBERS if isinstance(detail.get(k), int | float)
                    and float(detail[k]) not in (0.0, 1.0)}
    with live.db.session() as session:
        labels = set(session.scalars(select(Activity.workout)
                                     .where(Activity.id.in_(ids))).all())
    return words, numbers, labels


def leftovers(live: LiveStack, words: set[str], numbers: set[float],
              labels: set[str]) -> list[str]:
    """Every cell of every table that still holds one of those traces."""
    pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in words))
    ids = {float(w) for w in words if w.isdigit()}

    def holds(value: object) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        if isinstance(value, int | float):
            return float(value) in numbers | ids
        return isinstance(value, str) and (bool(pattern.search(value)) or value in labels)

    return [f"{table}.{column}={value!r}" for table, rows in live.dump().items()
            for row in rows for column, value in row.items() if holds(value)]


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
