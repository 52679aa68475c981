"""From an event to a block in the description, against the sandbox Strava over HTTP."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from analysis.description import BLOCK_BEGIN, OPT_OUT_TAG, find_block, remove
from worker import sync
from worker.budget import across_resets
from worker.models import Activity, Athlete, Base, InboxEvent
from worker.notnow import NotNow
from worker.runtime import Runtime
from worker.web import create_app

ATHLETE = 5150
TEXT = "Windy by the river.\nNew shoes."


def connect(rt: Runtime, athlete_id: int = ATHLETE) -> None:
    browser = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = browser.get("/connect", follow_redirects=False)
    approved = httpx.get(to_strava.headers["location"] + f"&sandbox_athlete={athlete_id}")
    back = urlsplit(approved.headers["location"])
    assert browser.get(f"{back.path}?{back.query}").status_code == 200


def upload(rt: Runtime, workout: str = "intervals", text: str = TEXT, seed: int = 1) -> int:
    answer = httpx.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                        json={"workout": workout, "seed": seed, "description": text,
                              "notify": False})
    return int(answer.json()["id"])


def description(rt: Runtime, activity_id: int) -> str:
    url = f"{rt.settings.strava_base_url}/_sandbox/activities/{activity_id}"
    return str(httpx.get(url).json().get("description") or "")


def synced(rt: Runtime, activity_id: int) -> sync.Result:
    return across_resets(lambda: sync.sync_activity(rt, ATHLETE, activity_id))


def requests_for(rt: Runtime, activity_id: int) -> int:
    stats = httpx.get(f"{rt.settings.strava_base_url}/_sandbox/stats").json()
    return int(stats["by_activity"].get(str(activity_id), 0))


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
    httpx.put(f"{strava_runtime.settings.strava_base_url}/_sandbox/activities/{activity_id}"
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


def test_deauthorization_deletes_every_row_of_the_athlete(strava_runtime: Runtime) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    synced(strava_runtime, activity_id)
    with strava_runtime.db.session() as session:
        session.add(InboxEvent(dedup_key="k", object_type="athlete", aspect_type="update",
                               object_id=ATHLETE, owner_id=ATHLETE, event_time=1,
                               updates='{"authorized": "false"}'))
        session.flush()
        event_id = session.scalar(select(InboxEvent.id))
    assert event_id is not None
    across_resets(lambda: sync.handle_event(strava_runtime, event_id))
    with strava_runtime.db.session() as session:
        for table in Base.metadata.sorted_tables:
            if "athlete_id" in table.c:
                count = session.scalar(select(func.count()).select_from(table)
                                       .where(table.c.athlete_id == ATHLETE))
                assert count == 0, table.name
        assert session.get(Athlete, ATHLETE) is None
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 0


def test_activity_not_readable_right_after_create_is_retried_later(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    with strava_runtime.db.session() as session:
        session.add(InboxEvent(dedup_key="missing", object_type="activity", aspect_type="create",
                               object_id=987654321, owner_id=ATHLETE, event_time=1))
        session.flush()
        event_id = session.scalar(select(InboxEvent.id))
    assert event_id is not None
    with pytest.raises(NotNow):
        across_resets(lambda: sync.handle_event(strava_runtime, event_id))
    with strava_runtime.db.session() as session:
        event = session.get(InboxEvent, event_id)
        assert event is not None and event.status == "pending"


def test_forgetting_an_athlete_revokes_access_at_strava_and_deletes_their_rows(
    strava_runtime: Runtime,
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    synced(strava_runtime, activity_id)
    with strava_runtime.db.session() as session:
        token = strava_runtime.cipher.decrypt(session.get(Athlete, ATHLETE).access_token)
    sync.forget_athlete(strava_runtime, ATHLETE, revoke=True)
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, ATHLETE) is None
        assert session.scalar(select(func.count()).select_from(Activity)) == 0
    refused = httpx.get(f"{strava_runtime.settings.strava_base_url}/api/v3/athlete",
                        headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_athlete_who_revoked_access_is_marked_to_reconnect_and_their_job_skipped(
    strava_runtime: Runtime,
) -> None:
    from worker.tokens import AthleteUnavailable

    connect(strava_runtime)
    activity_id = upload(strava_runtime)
    httpx.post(f"{strava_runtime.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}"
               "/deauthorize").raise_for_status()
    with pytest.raises(AthleteUnavailable):
        synced(strava_runtime, activity_id)
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.status == "needs_reauth"
    with pytest.raises(AthleteUnavailable):  # later jobs are skipped without asking Strava
        strava_runtime.tokens.access_token(ATHLETE)
