"""POST and GET /webhook/{secret}: validation, the inbox, deduplication, the handshake."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.testclient import TestClient

from tests.polling import wait_until
from tests.support.webhook import BACKGROUND_RANDOM, hook
from tests.worker.conftest import make_settings
from worker.devstack import free_port
from worker.metrics import REGISTRY
from worker.models import Athlete, InboxEvent, PushSubscription
from worker.runtime import Runtime
from worker.web import create_app
from worker.web.oauth import STATE_COOKIE
from worker.web.webhook import MAX_EVENT_AGE_S, MAX_EVENT_AHEAD_S

SUBSCRIPTION = 777
ATHLETE = 31


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with runtime.db.session() as session:
        session.add(PushSubscription(id=SUBSCRIPTION, callback_url="http://x/webhook/s"))
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="activity:read_all,activity:write"))
    runtime.redis.flushdb()
    with TestClient(create_app(runtime)) as client:  # runs the app's startup and shutdown
        yield client


#: The second every event built here happened at, unless a test says otherwise: Strava's
#: retries of one event carry its event_time, so a "duplicate" built a second later would be
#: another event. (Events are dropped only a day from now, far beyond a test run.)
EVENT_TIME = int(time.time())


def event(**changes: Any) -> dict[str, Any]:
    body = {"aspect_type": "create", "event_time": EVENT_TIME, "object_id": 99,
            "object_type": "activity", "owner_id": ATHLETE, "subscription_id": SUBSCRIPTION,
            "updates": {}}
    body.update(changes)
    return body


def inbox_count(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)


def queued(runtime: Runtime) -> int:
    return int(runtime.redis.hlen("stridewise:live.msgs"))


def test_event_is_committed_before_the_answer_and_enqueued_after_it(
    client: TestClient, runtime: Runtime
) -> None:
    answer = client.post(hook(runtime), json=event())
    assert answer.status_code == 200
    assert answer.json() == {"status": "received"}
    assert inbox_count(runtime) == 1
    assert wait_until(lambda: queued(runtime) == 1, timeout=5, interval=0.01)


def test_events_committed_before_shutdown_are_all_enqueued(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        session.add(PushSubscription(id=SUBSCRIPTION, callback_url="http://x/webhook/s"))
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="activity:read_all,activity:write"))
    runtime.redis.flushdb()
    app = create_app(runtime)
    with TestClient(app) as client:
        for object_id in range(1, 31):
            assert client.post(hook(runtime), json=event(object_id=object_id)).status_code == 200
    assert inbox_count(runtime) == 30
    assert queued(runtime) == 30  # shutdown waited for the enqueue stage


def received(outcome: str) -> float:
    """Events counted with this outcome by the web process (its metrics registry)."""
    return sum(sample.value for metric in REGISTRY.collect() for sample in metric.samples
               if sample.name == "stridewise_webhook_events_total"
               and sample.labels["outcome"] == outcome)


def test_a_batch_mixing_new_duplicate_and_unknown_events_answers_each_alike(
    client: TestClient, runtime: Runtime
) -> None:
    assert client.post(hook(runtime), json=event(object_id=1)).status_code == 200
    before = {outcome: received(outcome) for outcome in ("duplicate", "unknown_athlete")}
    bodies = [event(object_id=1), event(object_id=2), event(object_id=2),
              event(object_id=3, owner_id=ATHLETE + 1)]

    async def send_together() -> list[str]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://web") as web:
            answers = await asyncio.gather(*(web.post(hook(runtime), json=b) for b in bodies))
        return [a.text for a in answers]

    answers = client.portal.call(send_together)
    assert len(set(answers)) == 1
    assert inbox_count(runtime) == 2
    assert received("duplicate") - before["duplicate"] == 2
    assert received("unknown_athlete") - before["unknown_athlete"] == 1


def test_strava_retries_of_one_event_are_stored_once(client: TestClient, runtime: Runtime) -> None:
    for _ in range(3):
        assert client.post(hook(runtime), json=event()).status_code == 200
    assert inbox_count(runtime) == 1
    # The enqueue stage runs after the answers: wait for it instead of racing it.
    assert wait_until(lambda: queued(runtime) == 1, timeout=5, interval=0.01)


def test_events_of_unknown_athletes_are_acknowledged_and_dropped(
    client: TestClient, runtime: Runtime
) -> None:
    answer = client.post(hook(runtime), json=event(owner_id=ATHLETE + 1))
    assert answer.status_code == 200
    assert answer.json() == {"status": "received"}
    assert inbox_count(runtime) == 0


def test_an_integer_of_thousands_of_digits_gets_400_naming_it(
    client: TestClient, runtime: Runtime
) -> None:
    body = json.dumps(event()).replace('"object_id": ', '"object_id": ' + "9" * 5000, 1)
    answer = client.post(hook(runtime), content=body,
                         headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert "digits" in answer.json()["error"]
    assert inbox_count(runtime) == 0



def test_an_integer_longer_than_an_id_in_updates_gets_400_too(
    client: TestClient, runtime: Runtime
) -> None:
    # Strava's updates hold strings; a 33-digit number there is no more an event than in an id.
    body = json.dumps(event(updates={"title": 10**32}))
    answer = client.post(hook(runtime), content=body,
                         headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "an integer of 33 digits is longer than any Strava id"
    assert inbox_count(runtime) == 0

@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (event(object_id="99"), "object_id"),
        (event(object_id=True), "object_id"),
        (event(aspect_type="upsert"), "aspect_type"),
        (event(object_type="route"), "object_type"),
        (event(subscription_id=None), "subscription_id"),
        (event(updates=["title"]), "updates"),
        ([event()], "JSON object"),
    ],
)
def test_malformed_events_get_400_saying_what_is_wrong_and_nothing_is_stored(
    client: TestClient, runtime: Runtime, body: Any, fragment: str
) -> None:
    answer = client.post(hook(runtime), content=json.dumps(body),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert fragment in answer.json()["error"]
    assert inbox_count(runtime) == 0
    assert queued(runtime) == 0


def test_a_wrong_subscription_an_unknown_athlete_and_a_duplicate_answer_as_a_new_event_does(
    client: TestClient, runtime: Runtime
) -> None:
    new = client.post(hook(runtime), json=event(object_id=5))
    others = [client.post(hook(runtime), json=body) for body in (
        event(object_id=6, subscription_id=SUBSCRIPTION + 1),
        event(object_id=7, owner_id=ATHLETE + 1),
        event(object_id=5),
    )]
    assert {(a.status_code, a.content, a.headers["content-type"]) for a in [new, *others]} \
        == {(new.status_code, new.content, new.headers["content-type"])}
    assert inbox_count(runtime) == 1


@pytest.mark.parametrize("offset", [-MAX_EVENT_AGE_S - 60, MAX_EVENT_AHEAD_S + 60])
def test_events_far_from_now_are_acknowledged_and_dropped(
    client: TestClient, runtime: Runtime, offset: int
) -> None:
    before = received("stale")
    answer = client.post(hook(runtime), json=event(event_time=int(time.time()) + offset))
    assert answer.status_code == 200
    assert answer.json() == {"status": "received"}
    assert inbox_count(runtime) == 0
    assert received("stale") - before == 1


def test_events_a_little_late_or_early_are_stored(client: TestClient, runtime: Runtime) -> None:
    now = int(time.time())
    for object_id, event_time in ((1, now - MAX_EVENT_AGE_S + 600), (2, now + 60)):
        client.post(hook(runtime), json=event(object_id=object_id, event_time=event_time))
    assert inbox_count(runtime) == 2


def test_wrong_content_type_and_oversized_bodies_are_refused(
    client: TestClient, runtime: Runtime
) -> None:
    assert client.post(hook(runtime), content=b"{}", headers={"content-type": "text/plain"}
                       ).status_code == 415
    huge = json.dumps(event(updates={"title": "x" * 20_000}))
    assert client.post(hook(runtime), content=huge, headers={"content-type": "application/json"}
                       ).status_code == 413
    assert inbox_count(runtime) == 0


def test_handshake_echoes_the_challenge_only_for_our_verify_token(
    client: TestClient, runtime: Runtime
) -> None:
    token = runtime.settings.verify_token
    ok = client.get(hook(runtime), params={"hub.mode": "subscribe", "hub.challenge": "abc",
                                        "hub.verify_token": token})
    assert ok.status_code == 200
    assert ok.json() == {"hub.challenge": "abc"}
    wrong = client.get(hook(runtime), params={"hub.mode": "subscribe", "hub.challenge": "abc",
                                           "hub.verify_token": token + "x"})
    assert wrong.status_code == 403


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
fields = st.sampled_from(["aspect_type", "event_time", "object_id", "object_type", "owner_id",
                          "subscription_id", "updates"])


@BACKGROUND_RANDOM
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(fields, json_values) | json_values)
def test_generated_bodies_never_get_a_5xx_and_invalid_ones_store_nothing(
    client: TestClient, runtime: Runtime, body: Any
) -> None:
    before = inbox_count(runtime)
    answer = client.post(hook(runtime), content=json.dumps(body),
                         headers={"content-type": "application/json"})
    assert answer.status_code < 500
    if answer.status_code != 200:
        assert inbox_count(runtime) == before


@pytest.mark.parametrize("path", ["/webhook", "/webhook/", "/webhook/wrong", "/nowhere"])
def test_events_posted_anywhere_but_the_secret_path_are_stored_nowhere_and_answer_404(
    client: TestClient, runtime: Runtime, path: str
) -> None:
    unknown = client.post("/no/such/route", json=event())
    answer = client.post(path, json=event())
    assert (answer.status_code, answer.text) == (unknown.status_code, unknown.text) == (
        404, "Not Found")
    assert answer.headers == unknown.headers
    handshake = client.get(path, params={"hub.mode": "subscribe", "hub.challenge": "abc",
                                         "hub.verify_token": runtime.settings.verify_token})
    assert handshake.status_code == 404
    assert inbox_count(runtime) == 0
    assert queued(runtime) == 0


def test_the_webhook_secret_is_generated_once_kept_under_var_and_long(runtime: Runtime) -> None:
    secret = runtime.settings.webhook_secret
    assert len(secret) >= 22  # 128 bits of token_urlsafe
    assert (runtime.settings.var_dir / "webhook_secret").read_text().strip() == secret
    assert runtime.settings.webhook_url.endswith(f"/webhook/{secret}")


def test_with_redis_down_web_acknowledges_into_the_inbox_and_other_routes_answer_503(
    tmp_path: Path, migrated_database_url: str
) -> None:
    rt = Runtime(make_settings(tmp_path, migrated_database_url,
                               f"redis://127.0.0.1:{free_port()}/0"))
    with rt.db.session() as session:
        session.add(PushSubscription(id=SUBSCRIPTION, callback_url="http://x/webhook/s"))
        session.add(Athlete(id=ATHLETE, access_token="a", refresh_token="r", expires_at=0,
                            scope="activity:read_all,activity:write"))
    try:
        # On the web process's own host, where /metrics answers without a token.
        with TestClient(create_app(rt), client=("127.0.0.1", 40000)) as client:
            assert client.get("/readyz").json() == {"database": "ok"}
            assert client.get("/healthz").status_code == 503  # Redis is reported there
            assert client.post(hook(rt), json=event()).status_code == 200
            client.cookies.set(STATE_COOKIE, "s")  # a sign-in under way when Redis went
            for path in ("/connect", "/auth/callback?state=s&code=c&scope=read", "/metrics"):
                answer = client.get(path, follow_redirects=False)
                assert answer.status_code == 503, (path, answer.text)
                assert "Redis" in answer.text and answer.headers["retry-after"]
        assert inbox_count(rt) == 1
    finally:
        rt.db.dispose()
