"""Saving settings on the athlete's page re-renders their latest block through the worker's sync:
one PUT when the block changed, none when it did not."""

from __future__ import annotations

import re

from sqlalchemy import select
from starlette.testclient import TestClient

from analysis.description import BLOCK_BEGIN
from analysis.voice import SECTIONS
from tests.support import http
from tests.worker.conftest import sandbox_calls
from worker import sync
from worker.budget import across_resets
from worker.models import Activity, InboxEvent
from worker.runtime import Runtime
from worker.web import create_app

ATHLETE = 5160
PUT = "PUT /activities/{id}"
GET = "GET /activities/{id}"


def description(rt: Runtime, activity_id: int) -> str:
    url = f"{rt.settings.strava_base_url}/_sandbox/activities/{activity_id}"
    return str(http.get(url).json().get("description") or "")


def signed_in_browser(rt: Runtime) -> TestClient:
    browser = TestClient(create_app(rt), base_url=rt.settings.public_url)
    to_strava = browser.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"] + f"&sandbox_athlete={ATHLETE}")
    back = approved.headers["location"].split("/auth/callback", 1)[1]
    assert browser.get("/auth/callback" + back).status_code == 200
    return browser


def save(browser: TestClient, units: str) -> None:
    page = browser.get("/me/settings").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    answer = browser.post("/me/settings", data={
        "csrf": csrf.group(1), "feedback": "on", "numbers": "on", "section": list(SECTIONS),
        "units": units, "language": "en"})
    assert answer.status_code == 200


def rerender_events(rt: Runtime, after: int = 0) -> list[int]:
    with rt.db.session() as session:
        return list(session.scalars(select(InboxEvent.id).where(
            InboxEvent.aspect_type == "update", InboxEvent.id > after)
            .order_by(InboxEvent.id)).all())


def handled(rt: Runtime, event_id: int) -> sync.Result:
    return across_resets(lambda: sync.handle_event(rt, event_id))


def test_a_settings_change_rewrites_the_latest_block_once_and_a_reverted_one_not_at_all(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    browser = signed_in_browser(rt)
    created = http.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                        json={"workout": "easy", "seed": 3, "description": "Calm.",
                               "notify": False})
    activity_id = int(created.json()["id"])
    assert across_resets(lambda: sync.sync_activity(rt, ATHLETE, activity_id)).wrote
    metric = description(rt, activity_id)
    assert " km" in metric

    before = sandbox_calls(rt, PUT)
    save(browser, "imperial")
    [event] = rerender_events(rt)
    result = handled(rt, event)
    assert result.wrote
    assert sandbox_calls(rt, PUT) - before == 1
    imperial = description(rt, activity_id)
    assert " mi" in imperial and imperial.count(BLOCK_BEGIN) == 1
    assert imperial.startswith("Calm.")

    # Changed and changed back before the worker came to it: one re-read waits for both
    # saves, and finds the block already right.
    save(browser, "metric")
    save(browser, "imperial")
    events = rerender_events(rt, after=event)
    assert len(events) == 1
    before = sandbox_calls(rt, PUT)
    assert [handled(rt, e).wrote for e in events] == [False]
    assert sandbox_calls(rt, PUT) == before
    assert description(rt, activity_id) == imperial


def test_a_corrected_label_rewrites_the_block_with_one_read_and_one_write_and_sticks(
    strava_runtime: Runtime,
) -> None:
    rt = strava_runtime
    browser = signed_in_browser(rt)
    created = http.post(f"{rt.settings.strava_base_url}/_sandbox/athletes/{ATHLETE}/activities",
                        json={"workout": "easy", "seed": 5, "description": "Felt fast.",
                               "notify": False})
    activity_id = int(created.json()["id"])
    assert across_resets(lambda: sync.sync_activity(rt, ATHLETE, activity_id)).wrote
    assert "\nEasy: " in description(rt, activity_id)

    page = browser.get(f"/me/activities/{activity_id}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    answer = browser.post(f"/me/activities/{activity_id}/label",
                          data={"csrf": csrf.group(1), "label": "race"})
    assert answer.status_code == 200 and "your correction" in answer.text
    [event] = rerender_events(rt)
    reads, writes = sandbox_calls(rt, GET), sandbox_calls(rt, PUT)
    assert handled(rt, event).wrote
    assert (sandbox_calls(rt, GET) - reads, sandbox_calls(rt, PUT) - writes) == (1, 1)
    raced = description(rt, activity_id)
    assert raced.startswith("Felt fast.") and "\nRace: " in raced and "\nEasy: " not in raced
    with rt.db.session() as session:
        row = session.get(Activity, activity_id)
        assert row is not None and (row.workout, row.workout_chosen, row.hard) == (
            "race", "race", True)
        assert row.block is not None and row.block in raced

    # Read again later (an update from Strava): the athlete's word still stands.
    assert not across_resets(lambda: sync.sync_activity(rt, ATHLETE, activity_id)).wrote
    assert description(rt, activity_id) == raced
    assert "<pre class=\"block\" id=\"block\"" in browser.get(
        f"/me/activities/{activity_id}").text
