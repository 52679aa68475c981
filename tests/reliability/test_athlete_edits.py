"""The athlete edits the description while the worker is busy with it: the edit survives."""

from __future__ import annotations

import pytest

from tests.polling import wait_until
from tests.reliability.harness import LiveStack, block_counts

pytestmark = pytest.mark.e2e

ATHLETE = 5505
FIRST_TEXT = "Easy run."
EDITED_TEXT = "Easy run. Edited: calf felt tight at 8 km — 🙂"
#: The worker's re-read threshold (STRIDEWISE_REREAD_AFTER) in this test: shorter than the
#: default 5 s, so that the work outlives it sooner.
REREAD_AFTER_S = 1.0
#: Every Strava answer takes longer than the re-read threshold, so the work outlives it.
SLOW_S = REREAD_AFTER_S + 1.0


def test_an_edit_made_after_our_read_survives_our_write(live: LiveStack) -> None:
    # A worker of this test's own, with the shorter threshold (the next test's begin puts back
    # the stack's); it does the connect's history read.
    live.begin(worker=False)
    live.start_worker(STRIDEWISE_REREAD_AFTER=str(REREAD_AFTER_S))
    live.connect(ATHLETE)
    live.wait_for_histories((ATHLETE,))
    live.reset_stats()
    live.faults(slow_rate=1.0, slow_seconds=SLOW_S)
    [activity] = live.upload(ATHLETE, 1, FIRST_TEXT)
    # The worker's first read has answered (with the old text) when the sandbox counts it.
    assert wait_until(lambda: live.stats()["by_activity"].get(str(activity), 0) >= 1,
                      timeout=30, interval=0.05)
    live.http.put(f"/_sandbox/activities/{activity}/description",
                  json={"description": EDITED_TEXT}).raise_for_status()
    found = live.wait_for_blocks([activity], timeout=60)
    puts = live.puts()

    text = found[activity]
    assert text.startswith(EDITED_TEXT + "\n")
    assert block_counts(text) == (1, 1)
    assert puts == 1
