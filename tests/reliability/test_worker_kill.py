"""A worker SIGKILLed with 100 activities in flight loses none and posts none twice."""

from __future__ import annotations

import time

import pytest

from tests.polling import wait_until
from tests.reliability.harness import STALE_AFTER_S, LiveStack, block_counts

pytestmark = pytest.mark.e2e

ATHLETE = 5101
ATHLETE_TEXT = "Tempo on the river path.\nShoes: new pair."
UPLOADS = 100
#: Blocks written before the kill: enough that the worker is busy, few enough that most wait.
KILL_AFTER_BLOCKS = 15
#: Worker threads, hence activities in flight at the kill.
THREADS = 4
#: How long the workers here hold an activity (STRIDEWISE_ACTIVITY_LOCK): longer than any step
#: of this test takes (no Strava faults), far shorter than production's minute, so the killed
#: worker's locks lapse in seconds and the test waits for what the recovery does, not a clock.
ACTIVITY_LOCK_S = 10
#: What the recovery may take: the killed worker's activity locks or the sweeper's stale mark,
#: whichever is later, then the backlog itself.
RECOVERY_S = max(ACTIVITY_LOCK_S, float(STALE_AFTER_S)) + 60


def test_killed_worker_leaves_every_activity_with_exactly_one_block(live: LiveStack) -> None:
    live.begin(ATHLETE, worker=False)
    ids = live.upload(ATHLETE, UPLOADS, ATHLETE_TEXT)
    assert wait_until(lambda: live.inbox_total(ATHLETE) == UPLOADS, timeout=30)
    lock = {"STRIDEWISE_ACTIVITY_LOCK": str(ACTIVITY_LOCK_S)}
    live.start_worker(threads=THREADS, **lock)
    assert wait_until(lambda: live.puts() >= KILL_AFTER_BLOCKS, timeout=60, interval=0.05)
    killed = live.kill_worker()
    posted_before = live.puts()
    killed_at = time.monotonic()
    live.start_worker(threads=THREADS, **lock)
    found = live.wait_for_blocks(ids, timeout=RECOVERY_S)
    recovered_s = time.monotonic() - killed_at
    # An event killed after its PUT has its block but stays pending until the sweeper
    # hands it out again; it must then finish too.
    wait_until(lambda: "pending" not in live.inbox_statuses(ATHLETE), timeout=RECOVERY_S)
    puts = live.puts()
    statuses = live.inbox_statuses(ATHLETE)

    print(f"killed pids {killed} with {posted_before}/{UPLOADS} posted; all {len(found)} posted "
          f"{recovered_s:.0f} s later; {puts} PUTs; inbox {statuses}")
    assert len(killed) >= 2, "the dramatiq worker process was not found under the worker"
    assert posted_before < UPLOADS, "the worker had finished before it was killed"
    assert len(found) == UPLOADS, f"{UPLOADS - len(found)} activities lost; logs in {live.tmp_path}"
    for text in found.values():
        assert block_counts(text) == (1, 1)
        assert text.startswith(ATHLETE_TEXT)
    # An activity killed between its PUT and the end of its event is handled again; its block
    # now sees more history, so it is rewritten in place: at most one extra PUT per thread.
    assert UPLOADS <= puts <= UPLOADS + THREADS
    assert statuses.get("pending", 0) == 0 and statuses.get("dead", 0) == 0

