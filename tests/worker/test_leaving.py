"""Leaving with the blocks removed, against the sandbox Strava: every block of ours goes from
the descriptions asked for, the athlete's own text stays byte for byte, the requests stay
within the budget, and the athlete is deleted at the end, or at once when Strava refuses our
access before it."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from analysis.description import find_block, merge
from tests.support import http
from tests.support.athlete import connect
from tests.worker.conftest import sandbox_calls
from worker import leaving
from worker.budget import QuotaExhausted
from worker.models import Activity, Athlete, Leaving, LeavingActivity, WebSession, utcnow
from worker.notnow import NotNow
from worker.runtime import Runtime
from worker.sweeper import sweep

LEAVER = 6160
BLOCK = "-- Stridewise --\nEasy run: steady, 45 min.\n-- end of Stridewise --"
#: The athletes' own texts, each written before a block: plain, empty, Windows line ends,
#: trailing spaces, and one holding a block the athlete pasted from another activity.
TEXTS = ("Windy by the river.\nNew shoes.", "", "Felt good.\r\nLegs heavy at the end.\r\n",
         "  spaces kept  ", f"Copied from last week:\n{BLOCK}\nmine below")
#: Days of history at the sandbox, the cache's days, and how far back the athlete asks.
HISTORY_DAYS, CACHED_DAYS, BACK_DAYS = 120, 14, 60
READ = "GET /activities/{id}"
WRITE = "PUT /activities/{id}"
LIST = "GET /athlete/activities"


def sandbox(rt: Runtime, method: str, path: str, **kwargs: Any) -> Any:
    """The sandbox's own routes; drawing months of history takes seconds on a loaded machine,
    more than httpx's default 5 s timeout."""
    answer = http.request(method, f"{rt.settings.strava_base_url}/_sandbox{path}",
                          timeout=60, **kwargs)
    answer.raise_for_status()
    return answer.json() if answer.content else None


def description(rt: Runtime, activity_id: int) -> str:
    return str(sandbox(rt, "GET", f"/activities/{activity_id}").get("description") or "")


def started(activity: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(activity["start_date"]).replace("Z", "+00:00"))


def seed(rt: Runtime) -> tuple[dict[int, str], dict[int, datetime]]:
    """The athlete connected, with HISTORY_DAYS of activities at the sandbox: every other one
    carries a block of ours after the athlete's text; those of the last CACHED_DAYS are in the
    cache (with the digest of the block we wrote, when there is one). Returns each activity's
    own text and start."""
    connect(rt, LEAVER)
    sandbox(rt, "POST", f"/athletes/{LEAVER}/history", json={"days": HISTORY_DAYS, "seed": 5})
    listed = sandbox(rt, "GET", f"/athletes/{LEAVER}/activities")
    own, starts = {}, {}
    now = utcnow()
    with rt.db.session() as session:
        for index, activity in enumerate(listed):
            activity_id, text = int(activity["id"]), TEXTS[index % len(TEXTS)]
            written = index % 2 == 0
            if not written and find_block(text) is not None:
                # Beyond the cache a copied block cannot be told from ours (module docstring
                # of worker.leaving): the copies here sit above a block we wrote.
                text = TEXTS[0]
            own[activity_id], starts[activity_id] = text, started(activity)
            sandbox(rt, "PUT", f"/activities/{activity_id}/description",
                    json={"description": written_into(text) if written else text})
            if now - starts[activity_id] < timedelta(days=CACHED_DAYS):
                session.add(Activity(
                    id=activity_id, athlete_id=LEAVER, start_date=starts[activity_id],
                    sport=str(activity["sport_type"]), workout="easy", confidence=0.9,
                    distance_m=5000.0, moving_s=1800.0, load=40.0, hard=False,
                    block_digest="a" * 64 if written else None))
    sandbox(rt, "POST", "/stats/reset")
    return own, starts


def written_into(own: str) -> str:
    """The description after we appended our block to the athlete's ``own`` text (one blank
    line between them, as analysis.description.merge writes it); a block the athlete pasted
    into their text before ours stays theirs."""
    written = f"{own}\n\n{BLOCK}" if own else BLOCK
    assert find_block(own) is not None or written == merge(own, BLOCK)
    return written


def ours(text: str, own: str) -> bool:
    """Whether ``text`` still holds our block on top of the athlete's own text."""
    return text != own and find_block(text) is not None


def run_to_the_end(rt: Runtime, batch: int = 7) -> int:
    """Run the removal's steps as its job would; returns how many ran."""
    for steps in range(1, 200):
        if not leaving.step(rt, LEAVER, batch):
            return steps
    pytest.fail("the removal never ended")


def session_hashes(rt: Runtime) -> list[str]:
    with rt.db.session() as session:
        return list(session.scalars(select(WebSession.id_hash)
                                    .where(WebSession.athlete_id == LEAVER)))


def test_blocks_go_back_as_far_as_asked_the_text_stays_and_the_athlete_goes_at_the_end(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    own, starts = seed(rt)
    now = utcnow()
    in_range = {i for i, s in starts.items() if now - s < timedelta(days=BACK_DAYS)}
    blocks = {i for i in own if ours(description(rt, i), own[i])}
    cached_without = {i for i in in_range if now - starts[i] < timedelta(days=CACHED_DAYS)
                      and i not in blocks}
    assert blocks & in_range and blocks - in_range and cached_without  # the seed covers all
    hashes = session_hashes(rt)
    assert hashes

    known = leaving.known_blocks(rt, LEAVER)
    assert leaving.start(rt, LEAVER, now - timedelta(days=BACK_DAYS))
    with rt.db.session() as session:
        athlete = session.get(Athlete, LEAVER)
        assert athlete is not None and athlete.feedback_on is False  # no new block meanwhile
    assert known == len({i for i in blocks if now - starts[i] < timedelta(days=CACHED_DAYS)})
    run_to_the_end(rt)

    for activity_id in in_range:
        assert description(rt, activity_id) == own[activity_id], activity_id  # byte for byte
    for activity_id in blocks - in_range:  # older than asked: left as they were
        assert description(rt, activity_id) == written_into(own[activity_id])
    # One read per activity in range but those the cache knows we never wrote into; one write
    # per block removed; the list once.
    assert sandbox_calls(rt, READ) == len(in_range - cached_without)
    assert sandbox_calls(rt, WRITE) == len(blocks & in_range)
    assert sandbox_calls(rt, LIST) == 1
    assert sandbox_calls(rt, "POST /oauth/deauthorize") == 1
    with rt.db.session() as session:
        assert session.get(Athlete, LEAVER) is None
        assert session.scalars(select(Leaving)).first() is None
        assert session.scalars(select(LeavingActivity)).first() is None
        assert session.scalars(select(Activity).where(Activity.athlete_id == LEAVER)).first() \
            is None
    said = leaving.left(rt, hashes[0])
    assert said is not None and not said.stopped
    assert (said.removed, said.read, said.to_read) == \
        (len(blocks & in_range), len(in_range - cached_without), 0)


def test_without_a_date_only_the_cached_blocks_go_and_nothing_is_listed(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    own, starts = seed(rt)
    now = utcnow()
    cached = {i for i, s in starts.items() if now - s < timedelta(days=CACHED_DAYS)}
    blocks = {i for i in own if ours(description(rt, i), own[i])}
    assert leaving.start(rt, LEAVER, None)
    progress = leaving.progress(rt, LEAVER)
    assert progress is not None and progress.total == len(blocks & cached)
    run_to_the_end(rt)
    for activity_id in cached:
        assert description(rt, activity_id) == own[activity_id]
    for activity_id in blocks - cached:
        assert ours(description(rt, activity_id), own[activity_id])
    assert sandbox_calls(rt, LIST) == 0
    assert sandbox_calls(rt, READ) == len(blocks & cached)


def test_access_revoked_midway_leaves_the_rest_and_deletes_the_athlete_at_once(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    own, _ = seed(rt)
    hashes = session_hashes(rt)
    leaving.start(rt, LEAVER, utcnow() - timedelta(days=BACK_DAYS))
    assert leaving.step(rt, LEAVER, batch=2)  # two read, more to do
    sandbox(rt, "POST", f"/athletes/{LEAVER}/deauthorize")  # the athlete revokes at Strava
    assert not leaving.step(rt, LEAVER, batch=2)
    with rt.db.session() as session:
        assert session.get(Athlete, LEAVER) is None
    said = leaving.left(rt, hashes[0])
    assert said is not None and said.stopped and said.read == 2 and said.to_read > 0
    left_with_blocks = [i for i in own if ours(description(rt, i), own[i])]
    assert left_with_blocks, "every block went although access was revoked"


def test_a_spent_quota_makes_the_job_wait_keeping_what_was_done(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    seed(rt)
    leaving.start(rt, LEAVER, None)
    assert leaving.step(rt, LEAVER, batch=1)
    rt.budget.pause(600, "test: quota spent")
    with pytest.raises(QuotaExhausted):
        leaving.step(rt, LEAVER, batch=1)
    progress = leaving.progress(rt, LEAVER)
    assert progress is not None and progress.read == 1 and progress.removed == 1
    with rt.db.session() as session:
        assert session.get(Athlete, LEAVER) is not None


def test_what_was_done_is_kept_under_the_sessions_hash_only_for_a_while(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    seed(rt)
    hashes = session_hashes(rt)
    leaving.start(rt, LEAVER, None)
    run_to_the_end(rt)
    key = leaving.LEFT_KEY + hashes[0]
    assert 0 < int(rt.redis.ttl(key)) <= leaving.LEFT_KEPT_S
    assert str(LEAVER).encode() not in (rt.redis.get(key) or b"")
    assert leaving.left(rt, hashlib.sha256(b"someone else").hexdigest()) is None


def test_strava_down_makes_the_job_wait_without_spending_its_retries(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    seed(rt)
    leaving.start(rt, LEAVER, None)
    sandbox(rt, "POST", "/faults", json={"error_rate": 1.0})
    try:
        with pytest.raises(NotNow):
            leaving.step(rt, LEAVER, batch=1)
    finally:
        sandbox(rt, "POST", "/faults", json={})
    progress = leaving.progress(rt, LEAVER)
    assert progress is not None and progress.read == 0
    run_to_the_end(rt)
    with rt.db.session() as session:
        assert session.get(Athlete, LEAVER) is None


def test_a_removal_past_its_time_gives_up_and_deletes_the_athlete(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    seed(rt)
    leaving.start(rt, LEAVER, None)
    with rt.db.session() as session:
        row = session.get(Leaving, LEAVER)
        assert row is not None
        row.started_at = utcnow() - leaving.LEAVING_AT_MOST - timedelta(minutes=1)
    assert not leaving.step(rt, LEAVER)
    with rt.db.session() as session:
        assert session.get(Athlete, LEAVER) is None
    assert sandbox_calls(rt, READ) == 0  # nothing read: it gave up at once


def test_the_sweeper_deletes_an_athlete_whose_removal_ran_out_of_time_with_its_job_lost(
    strava_runtime: Runtime,
) -> None:
    """A removal's message lost with Redis is sent again by nobody: the sweep still deletes
    the athlete once LEAVING_AT_MOST has passed, and leaves a removal still in time alone."""
    rt = strava_runtime
    seed(rt)
    connect(rt, LEAVER + 1)
    for athlete_id in (LEAVER, LEAVER + 1):
        leaving.start(rt, athlete_id, None)
    rt.broker.flush_all()  # the messages are lost
    with rt.db.session() as session:
        row = session.get(Leaving, LEAVER)
        assert row is not None
        row.started_at = utcnow() - leaving.LEAVING_AT_MOST - timedelta(minutes=1)
    sweep(rt)
    with rt.db.session() as session:
        assert session.get(Athlete, LEAVER) is None
        assert session.get(Leaving, LEAVER + 1) is not None
