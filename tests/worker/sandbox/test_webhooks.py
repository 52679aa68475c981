"""Push subscriptions and events: handshake, one per app, retries, what fires and what not."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.polling import wait_until
from tests.worker.sandbox.conftest import Harness, bearer, config, interval_run, running
from worker.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from worker.sandbox.fixtures import detailed_activity

CLIENT: dict[str, str | int] = {"client_id": SANDBOX_CLIENT_ID,
                                 "client_secret": SANDBOX_CLIENT_SECRET}


class Receiver:
    """A webhook endpoint behind httpx.MockTransport that can be told to fail."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.failures_left = 0
        self.verify_token = "vt"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            if request.url.params.get("hub.verify_token") != self.verify_token:
                return httpx.Response(403)
            return httpx.Response(200, json={"hub.challenge": request.url.params["hub.challenge"]})
        if self.failures_left:
            self.failures_left -= 1
            return httpx.Response(500)
        self.events.append(json.loads(request.content))
        return httpx.Response(200)


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def hooked(receiver: Receiver) -> Iterator[Harness]:
    with running(config(), transport=httpx.MockTransport(receiver)) as harness:
        yield harness


def subscribe(harness: Harness, verify_token: str = "vt") -> Any:
    return harness.client.post("/api/v3/push_subscriptions", data={
        **CLIENT, "callback_url": "http://receiver.test/webhook", "verify_token": verify_token})


def bundle(harness: Harness) -> dict[str, Any]:
    start = datetime.fromtimestamp(harness.clock.now - 3000, UTC)
    detail, streams = detailed_activity(interval_run(start), 1, 1)
    return {"activity": detail, "streams": {k: {"data": v} for k, v in streams.items()}}


def test_subscription_needs_a_callback_that_echoes_the_challenge(hooked: Harness) -> None:
    refused = subscribe(hooked, verify_token="wrong")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "callback url"
    created = subscribe(hooked)
    assert created.status_code == 201
    listed = hooked.client.get("/api/v3/push_subscriptions", params=CLIENT).json()
    assert [s["id"] for s in listed] == [created.json()["id"]]


def test_only_one_subscription_per_application(hooked: Harness) -> None:
    subscription_id = subscribe(hooked).json()["id"]
    second = subscribe(hooked)
    assert second.status_code == 400
    assert second.json()["errors"][0]["code"] == "already exists"
    url = f"/api/v3/push_subscriptions/{subscription_id}"
    assert hooked.client.delete(url, params=CLIENT).status_code == 204
    assert subscribe(hooked).status_code == 201


def test_wrong_client_credentials_are_401(hooked: Harness) -> None:
    response = hooked.client.get("/api/v3/push_subscriptions",
                                 params={**CLIENT, "client_secret": "nope"})
    assert response.status_code == 401


def test_create_event_is_retried_until_the_receiver_accepts(
        hooked: Harness, receiver: Receiver) -> None:
    subscription_id = subscribe(hooked).json()["id"]
    hooked.connect(7)
    receiver.failures_left = 2
    created = hooked.client.post("/_sandbox/athletes/7/activities",
                                 json={"bundle": bundle(hooked), "description": "mine"})
    activity_id = created.json()["id"]
    assert wait_until(lambda: receiver.events, 3.0, 0.01)
    assert receiver.events == [{
        "aspect_type": "create", "event_time": int(hooked.clock.now), "object_id": activity_id,
        "object_type": "activity", "owner_id": 7, "subscription_id": subscription_id,
        "updates": {}}]
    webhooks = hooked.client.get("/_sandbox/stats").json()["webhooks"]
    assert [a["status"] for a in webhooks["attempts"]] == [500, 500, 200]
    assert (webhooks["sent"], webhooks["delivered"], webhooks["failed"]) == (1, 1, 0)
    assert hooked.client.get(f"/_sandbox/activities/{activity_id}").json()["description"] == "mine"


def test_event_is_dropped_after_three_failed_tries(hooked: Harness, receiver: Receiver) -> None:
    subscribe(hooked)
    hooked.connect(7)
    receiver.failures_left = 5
    hooked.client.post("/_sandbox/athletes/7/activities", json={"bundle": bundle(hooked)})
    assert wait_until(
        lambda: hooked.client.get("/_sandbox/stats").json()["webhooks"]["failed"] == 1, 3.0, 0.01)
    assert receiver.failures_left == 2 and receiver.events == []


def test_what_fires_an_event_and_what_does_not(hooked: Harness, receiver: Receiver) -> None:
    subscribe(hooked)
    token = hooked.connect(7)["access_token"]
    hooked.client.post("/_sandbox/athletes/8/activities", json={"bundle": bundle(hooked)})
    quiet = hooked.client.post("/_sandbox/athletes/7/activities",
                               json={"bundle": bundle(hooked), "notify": False}).json()["id"]
    hooked.client.put(f"/api/v3/activities/{quiet}", json={"description": "block"},
                      headers=bearer(token))
    hooked.client.put(f"/_sandbox/activities/{quiet}/description", json={"description": "x"})
    hooked.client.post(f"/_sandbox/activities/{quiet}/update", json={"private": True})
    hooked.client.put(f"/api/v3/activities/{quiet}", json={"name": "Renamed"},
                      headers=bearer(token))
    hooked.client.delete(f"/_sandbox/activities/{quiet}")
    hooked.client.post("/_sandbox/athletes/7/deauthorize")
    assert wait_until(lambda: len(receiver.events) == 4, 3.0, 0.01)
    time.sleep(0.05)
    seen = sorted((e["object_type"], e["aspect_type"], json.dumps(e["updates"]))
                  for e in receiver.events)
    assert seen == [
        ("activity", "delete", "{}"),
        ("activity", "update", '{"private": "true"}'),
        ("activity", "update", '{"title": "Renamed"}'),
        ("athlete", "update", '{"authorized": "false"}'),
    ]
    athlete_event = next(e for e in receiver.events if e["object_type"] == "athlete")
    assert athlete_event["object_id"] == athlete_event["owner_id"] == 7
