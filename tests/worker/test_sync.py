"""From an event to a block in the description, against the sandbox Strava over HTTP."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import redis
from sqlalchemy import Connection, delete, event, func, select, update
from starlette.testclient import TestClient

from analysis.description import BLOCK_BEGIN, OPT_OUT_TAG, find_block, remove
from tests.support import http
from tests.support.athlete import ATHLETE, TEXT, connect, description, upload
from tests.worker.conftest import sandbox_stats
from worker import forget, history, preferences, sync
from worker.budget import across_resets
from worker.db import READ_ONLY
from worker.inbox import EventStatus
from worker.models import Activity, Athlete, Base, InboxEvent, WebSession
from worker.notnow import NotNow
from worker.runtime import Runtime
from worker.web import create_app


def synced(rt: Runtime, activity_id: int) -> sync.Result:
    return across_resets(lambda: sync.sync_activity(rt, ATHLETE, activity_id))


def requests_for(rt: Runtime, activity_id: int) -> int:
    return int(sandbox_stats(rt)["by_activity"].get(str(activity_id), 0))


def test_block_is_written_after_the_athlete_text(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    result = synced(strava_runtime, activity_id)
    assert result.wrote
    text = description(strava_runtime, activity_id)
    assert text.startswith(TEXT)
    assert text.count(BLOCK_BEGIN) == 1
    assert remove(text) == TEXT


def test_rerun_reads_once_and_does_not_write_an_unchanged_block(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "easy")
    synced(strava_runtime, activity_id)
    first = description(strava_runtime, activity_id)
    spent = requests_for(strava_runtime, activity_id)
    result = synced(strava_runtime, activity_id)
    assert not result.wrote
    assert description(strava_runtime, activity_id) == first
    assert requests_for(strava_runtime, activity_id) - spent <= 2  # the read (and streams)


def test_athlete_who_deleted_the_block_is_respected(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "tempo")
    synced(strava_runtime, activity_id)
    http.put(f"{strava_runtime.settings.strava_base_url}/_sandbox/activities/{activity_id}"
             "/description", json={"description": "my words only"})
    result = synced(strava_runtime, activity_id)
    assert not result.wrote
    assert description(strava_runtime, activity_id) == "my words only"


def test_opt_out_tag_keeps_the_block_out(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "hills", text=f"hill day {OPT_OUT_TAG}")
    result = synced(strava_runtime, activity_id)
    assert not result.wrote
    assert find_block(description(strava_runtime, activity_id)) is None


def test_activity_row_keeps_what_history_needs(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "intervals")
    synced(strava_runtime, activity_id)
    with strava_runtime.db.session() as session:
        row = session.get(Activity, activity_id)
        assert row is not None
        assert row.athlete_id == ATHLETE
        assert row.distance_m > 0 and row.load > 0
        assert row.block_digest is not None


def handled(rt: Runtime, object_type: str, aspect_type: str, object_id: int,
            owner_id: int = ATHLETE, event_time: int | None = None,
            updates: str = "{}") -> sync.Result:
    """Put one event in the inbox and handle it."""
    with rt.db.session() as session:
        row = InboxEvent(dedup_key=f"{object_type} {aspect_type} {object_id} {time.time()}",
                         object_type=object_type, aspect_type=aspect_type, object_id=object_id,
                         owner_id=owner_id, event_time=event_time or int(time.time()),
                         updates=updates)
        session.add(row)
        session.flush()
        event_id = row.id
    return across_resets(lambda: sync.handle_event(rt, event_id))


DEAUTHORIZED = '{"authorized": "false"}'


def test_deauthorization_deletes_every_row_of_the_athlete_once_strava_refuses_them(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    synced(strava_runtime, activity_id)
    http.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}"
              "/deauthorize").raise_for_status()
    result = handled(strava_runtime, "athlete", "update", ATHLETE, updates=DEAUTHORIZED)
    assert result.status == "done"
    with strava_runtime.db.session() as session:
        for table in Base.metadata.sorted_tables:
            if "athlete_id" in table.c:
                count = session.scalar(select(func.count()).select_from(table)
                                       .where(table.c.athlete_id == ATHLETE))
                assert count == 0, table.name
        assert session.get(Athlete, ATHLETE) is None
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 0


def test_an_event_recorded_while_its_athlete_was_being_deleted_goes_with_them(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    with strava_runtime.db.session() as session:
        session.add(InboxEvent(dedup_key="racing deauthorization", object_type="athlete",
                               aspect_type="update", object_id=ATHLETE, owner_id=ATHLETE,
                               event_time=int(time.time()), updates=DEAUTHORIZED))
    with strava_runtime.db.session() as session:
        event_id = session.scalar(select(InboxEvent.id))
        # The athlete's own deletion committed between the event's intake and its handling.
        session.execute(delete(Athlete).where(Athlete.id == ATHLETE))
    assert event_id is not None
    result = sync.handle_event(strava_runtime, event_id)
    assert result.status == "skipped"
    with strava_runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 0


def test_a_forged_deauthorization_leaves_the_athlete_connected_and_served(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    synced(strava_runtime, activity_id)
    result = handled(strava_runtime, "athlete", "update", ATHLETE, updates=DEAUTHORIZED)
    assert result.status == "skipped"
    assert "not believed" in result.detail
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.status == "active"
        assert session.get(Activity, activity_id) is not None
    assert synced(strava_runtime, upload(strava_runtime, "easy", seed=2)).wrote


def signed_in_browser(rt: Runtime, athlete_id: int = ATHLETE) -> TestClient:
    """The athlete connected through a browser that keeps their session; it opens /me."""
    browser = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = browser.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"] + f"&sandbox_athlete={athlete_id}")
    back = urlsplit(approved.headers["location"])
    assert browser.get(f"{back.path}?{back.query}").url.path == "/me"
    return browser


def opens_me(browser: TestClient) -> bool:
    return browser.get("/me", follow_redirects=False).status_code == 200


def test_a_deauthorization_strava_confirms_with_a_bad_request_ends_the_session_at_once(
    strava_runtime: Runtime,
) -> None:
    browser = signed_in_browser(strava_runtime)
    assert opens_me(browser)
    with strava_runtime.db.session() as session:  # the access token has expired: a refresh
        session.execute(update(Athlete).values(expires_at=0))
    http.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}"
              "/deauthorize").raise_for_status()
    before = sandbox_stats(strava_runtime)["by_endpoint"].get("POST /oauth/token", 0)
    result = handled(strava_runtime, "athlete", "update", ATHLETE, updates=DEAUTHORIZED)
    assert result.status == "done"
    assert sandbox_stats(strava_runtime)["by_endpoint"]["POST /oauth/token"] == before + 1
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, ATHLETE) is None
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert not opens_me(browser)


def test_a_forged_deauthorization_of_an_athlete_marked_to_reconnect_asks_strava_first(
    strava_runtime: Runtime,
) -> None:
    browser = signed_in_browser(strava_runtime)
    strava_runtime.tokens.mark_needs_reauth(ATHLETE, "a missing permission, say")
    before = sandbox_stats(strava_runtime)["by_endpoint"].get("POST /oauth/token", 0)
    result = handled(strava_runtime, "athlete", "update", ATHLETE, updates=DEAUTHORIZED)
    assert result.status == "skipped" and "not believed" in result.detail
    assert sandbox_stats(strava_runtime)["by_endpoint"]["POST /oauth/token"] == before + 1
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, ATHLETE) is not None
    assert opens_me(browser)


def test_a_deauthorization_met_by_our_refused_credentials_deletes_nobody(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from worker.strava import StravaApplicationRefused

    connect(strava_runtime)
    with strava_runtime.db.session() as session:
        session.execute(update(Athlete).values(expires_at=0))

    def refused(_refresh_token: str) -> None:
        raise StravaApplicationRefused("Strava 401 Authorization Error: Application invalid", 401)

    monkeypatch.setattr(strava_runtime.gateway, "refresh", refused)
    with pytest.raises(StravaApplicationRefused):  # a dead letter, for the operator to requeue
        handled(strava_runtime, "athlete", "update", ATHLETE, updates=DEAUTHORIZED)
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.status == "active"


def test_a_deauthorization_older_than_the_last_connect_is_ignored_without_asking_strava(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    before = http.get(f"{strava_runtime.settings.strava_base_url}/_sandbox/stats").json()
    result = handled(strava_runtime, "athlete", "update", ATHLETE, updates=DEAUTHORIZED,
                     event_time=int(time.time()) - 3600)
    after = http.get(f"{strava_runtime.settings.strava_base_url}/_sandbox/stats").json()
    assert result.status == "skipped"
    assert "older than their last connect" in result.detail
    assert after["requests"] == before["requests"]
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, ATHLETE) is not None


def test_a_forged_delete_then_update_keeps_the_athletes_choice_of_no_block(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "tempo")
    synced(strava_runtime, activity_id)
    http.put(f"{strava_runtime.settings.strava_base_url}/_sandbox/activities/{activity_id}"
             "/description", json={"description": "my words only"})
    assert handled(strava_runtime, "activity", "delete", activity_id).status == "skipped"
    result = handled(strava_runtime, "activity", "update", activity_id)
    assert not result.wrote
    assert description(strava_runtime, activity_id) == "my words only"


def test_a_delete_removes_only_an_activity_of_the_events_owner(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    synced(strava_runtime, activity_id)
    handled(strava_runtime, "activity", "delete", activity_id, owner_id=ATHLETE + 1)
    with strava_runtime.db.session() as session:
        assert session.get(Activity, activity_id) is not None


def test_a_delete_strava_confirms_removes_the_row(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    synced(strava_runtime, activity_id)
    http.delete(f"{strava_runtime.settings.strava_base_url}/_sandbox/activities/{activity_id}"
                ).raise_for_status()
    assert handled(strava_runtime, "activity", "delete", activity_id).status == "done"
    with strava_runtime.db.session() as session:
        assert session.get(Activity, activity_id) is None


@pytest.mark.parametrize("first_s", [None, 2.0])
def test_a_create_that_reads_404_is_read_again_three_times_further_apart_then_skipped(
    strava_runtime: Runtime, first_s: float | None,
) -> None:
    """By default after 15, 60 and 240 s; STRIDEWISE_NOT_FOUND_DELAY sets the first wait."""
    if first_s is not None:
        strava_runtime.settings = replace(strava_runtime.settings, not_found_delay_s=first_s)
    delays = sync.NOT_FOUND_DELAYS_S if first_s is None else (first_s, first_s * 4,
                                                                first_s * 16)
    connect(strava_runtime)
    with strava_runtime.db.session() as session:
        session.add(InboxEvent(dedup_key="missing", object_type="activity", aspect_type="create",
                               object_id=987654321, owner_id=ATHLETE,
                               event_time=int(time.time())))
        session.flush()
        event_id = session.scalar(select(InboxEvent.id))
    assert event_id is not None
    waits = []
    for _ in delays:
        with pytest.raises(NotNow) as later:
            across_resets(lambda: sync.handle_event(strava_runtime, event_id))
        waits.append(later.value.delay_s)
    assert waits == list(delays) == sorted(set(waits))
    result = across_resets(lambda: sync.handle_event(strava_runtime, event_id))
    assert result.status == "skipped"
    assert "after 4 reads" in result.detail
    assert requests_for(strava_runtime, 987654321) == 4


def test_a_second_create_for_an_activity_with_its_block_costs_nothing_unless_it_was_updated(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    assert handled(strava_runtime, "activity", "create", activity_id).wrote
    spent = requests_for(strava_runtime, activity_id)
    again = handled(strava_runtime, "activity", "create", activity_id)
    assert again.status == "done" and "already has its block" in again.detail
    assert requests_for(strava_runtime, activity_id) == spent
    handled(strava_runtime, "activity", "update", activity_id, updates='{"title": "Hills"}')
    spent = requests_for(strava_runtime, activity_id)
    handled(strava_runtime, "activity", "create", activity_id)
    assert requests_for(strava_runtime, activity_id) > spent  # read again after the update


@pytest.mark.parametrize(("status", "outcome"), [(400, "dead"), (403, "skipped")])
def test_strava_4xx_that_retrying_cannot_fix_finishes_the_event_with_its_reason(
    status: int, outcome: str,
) -> None:
    from worker.strava import StravaRejected

    result = sync.rejected(7, StravaRejected(f"Strava {status}: Bad Request", status))
    assert result.status == outcome
    assert f"Strava {status}" in result.detail


def test_forgetting_an_athlete_revokes_access_at_strava_and_deletes_their_rows(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    synced(strava_runtime, activity_id)
    with strava_runtime.db.session() as session:
        token = strava_runtime.cipher.decrypt(session.get(Athlete, ATHLETE).access_token)
    forget.forget_athlete(strava_runtime, ATHLETE, revoke=True)
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, ATHLETE) is None
        assert session.scalar(select(func.count()).select_from(Activity)) == 0
    refused = http.get(f"{strava_runtime.settings.strava_base_url}/api/v3/athlete",
                       headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_athlete_who_revoked_access_is_marked_to_reconnect_and_their_job_skipped(
    strava_runtime: Runtime,
) -> None:
    from worker.tokens import AthleteUnavailable

    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    http.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}"
              "/deauthorize").raise_for_status()
    with pytest.raises(AthleteUnavailable):
        synced(strava_runtime, activity_id)
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.status == "needs_reauth"
    with pytest.raises(AthleteUnavailable):  # later jobs are skipped without asking Strava
        strava_runtime.tokens.access_token(ATHLETE)


def choose(rt: Runtime, **choices: object) -> None:
    """Save the athlete's settings as their page would."""
    with rt.db.session() as session:
        current = preferences.load(session, ATHLETE)
        assert current is not None
        preferences.save(session, ATHLETE, replace(current, **choices))  # type: ignore[arg-type]


def test_feedback_turned_off_analyses_and_caches_the_activity_but_writes_no_block(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    choose(strava_runtime, feedback_on=False)
    activity_id = upload(strava_runtime, "intervals")
    result = synced(strava_runtime, activity_id)
    assert (result.status, result.detail, result.wrote) == (
        EventStatus.DONE, "feedback turned off", False)
    assert description(strava_runtime, activity_id) == TEXT
    with strava_runtime.db.session() as session:
        row = session.get(Activity, activity_id)
        assert row is not None
        assert row.workout and row.evidence and row.block_digest is None


def test_the_block_speaks_the_athletes_language_units_and_private_numbers(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    choose(strava_runtime, language="de", units="imperial", public_numbers=False,
           sections=frozenset({"recovery"}))
    activity_id = upload(strava_runtime, "intervals")
    assert synced(strava_runtime, activity_id).wrote
    text = description(strava_runtime, activity_id)
    found = find_block(text)
    assert found is not None
    lines = text[found[0]:found[1]].split("\n")[1:-1]
    headline = " ".join([lines[0], *(x for x in lines[1:3] if x.startswith("  "))])
    assert headline.startswith("Intervalle: ") and "/mi" in headline and "/km" not in headline
    assert [x.split(": ")[0] for x in lines[1:] if not x.startswith(" ")] == [
        "Verlauf", "Erholung"]
    assert not re.search(r"HF|bpm|\d+[.,]?\d*x\b", "\n".join(lines)), lines


def test_the_athletes_utc_offset_comes_from_stravas_local_start() -> None:
    detailed = {"start_date": "2024-05-14T21:30:00Z", "start_date_local": "2024-05-14T23:30:00Z"}
    assert sync.utc_offset(detailed) == timedelta(hours=2)
    assert sync.utc_offset({"start_date": "2024-05-14T21:30:00Z"}) is None
    assert sync.utc_offset({**detailed, "start_date_local": "yesterday"}) is None


def test_an_upload_event_is_one_claim_one_read_and_one_write(strava_runtime: Runtime) -> None:
    """With the athlete's weeks in the cache, an event opens three transactions: the claim,
    one read that takes no lock, and one write in which the activity's row, its block and the
    inbox's finish commit together."""
    connect(strava_runtime)
    across_resets(lambda: history.refresh(strava_runtime, ATHLETE))
    activity_id = upload(strava_runtime, "tempo")
    _, [event_id] = strava_runtime.inbox.record([{
        "object_type": "activity", "aspect_type": "create", "object_id": activity_id,
        "owner_id": ATHLETE, "event_time": int(time.time()), "updates": {}}])
    begun: list[bool] = []

    def begin(connection: Connection) -> None:
        begun.append(bool(connection.get_execution_options().get(READ_ONLY)))

    event.listen(strava_runtime.db.engine, "begin", begin)
    try:
        result = across_resets(lambda: sync.handle_event(strava_runtime, event_id))
    finally:
        event.remove(strava_runtime.db.engine, "begin", begin)
    assert result.wrote
    assert begun == [False, True, False]  # claim, the athlete's context, the one write
    with strava_runtime.db.session() as session:
        row, inbox = session.get(Activity, activity_id), session.get(InboxEvent, event_id)
        assert row is not None and inbox is not None
        assert row.block_written_at is not None and inbox.status == EventStatus.DONE
        assert row.block is not None and row.block in description(strava_runtime, activity_id)


def test_an_activity_lock_of_its_own_time_lapses_and_is_set_again_by_that_time(
    redis_client: redis.Redis,
) -> None:
    """STRIDEWISE_ACTIVITY_LOCK: a shorter lock (the kill test's) lasts its own time, and a
    keepalive after a sixtieth of it sets that time again, not the default minute."""
    now = [0.0]
    held = sync.ActivityLock(redis_client, 77, lambda: now[0], ttl_s=10.0)
    key = "stridewise:lock:activity:77"
    assert held.acquire()
    assert 9_000 < int(redis_client.pttl(key)) <= 10_000
    redis_client.pexpire(key, 5_000)  # as if set five seconds ago
    now[0] += 10.0 / 60 + 0.01
    held.keepalive()
    assert 9_000 < int(redis_client.pttl(key)) <= 10_000
    held.release()
    assert not redis_client.exists(key)
