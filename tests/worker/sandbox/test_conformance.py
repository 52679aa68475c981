"""The sandbox answers, and the gateway asks, as Strava's published API description says.

Every endpoint the product uses is called on the sandbox, successes and the errors the product
meets alike; each answer is validated against the description's schema for its status. The
gateway is then driven against the sandbox through its transport seam, and each request it
sends is checked against the description: the operation, its query parameters and the PUT's
UpdatableActivity fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from starlette.testclient import TestClient

from tests.worker.sandbox.conftest import Harness, bearer, config, running, strength_session
from tests.worker.sandbox.swagger import FAULT, Description, description
from worker.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from worker.sandbox.control import seed_history, store_activity
from worker.sandbox.state import FIRST_SUBSCRIPTION_ID
from worker.strava import Gateway, make_session

#: Where the gateway believes Strava is; the adapter below hands its requests to the sandbox.
BASE_URL = "http://testserver"
#: The operations the product calls (worker/strava.py); push subscriptions are described on
#: Strava's webhook page, not in the API description, and OAuth is not under /api/v3.
PRODUCT_OPERATIONS = {"GET /athlete", "GET /athlete/activities", "GET /activities/{id}",
                      "GET /activities/{id}/streams", "PUT /activities/{id}"}
#: Strava's four rate-limit headers, each "short-window,daily".
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Usage", "X-ReadRateLimit-Limit",
                      "X-ReadRateLimit-Usage")
#: Every field of UpdatableActivity, set at once.
FULL_UPDATE = {"name": "Track Tuesday", "description": "6 x 800 m", "sport_type": "TrailRun",
               "type": "Run", "gear_id": "g1234", "trainer": False, "commute": True,
               "hide_from_home": True}


@dataclass(frozen=True)
class Answer:
    method: str
    path: str  # under /api/v3
    status: int
    body: Any


def api(harness: Harness, method: str, path: str, token: object | None = None,
        **kwargs: Any) -> Answer:
    """One /api/v3 call on the sandbox; every answer must carry Strava's rate-limit headers."""
    headers = bearer(token) if token is not None else {}
    response = harness.client.request(method, f"/api/v3{path}", headers=headers, **kwargs)
    for name in RATE_LIMIT_HEADERS:
        assert re.fullmatch(r"\d+,\d+", response.headers.get(name, "")), (name, path)
    quota = harness.sandbox.config.quota
    assert response.headers["X-RateLimit-Limit"] == f"{quota.overall_short},{quota.overall_daily}"
    assert response.headers["X-ReadRateLimit-Limit"] == f"{quota.read_short},{quota.read_daily}"
    return Answer(method, urlsplit(path).path, response.status_code, response.json())


def departures(answers: list[Answer]) -> list[str]:
    spec = description()
    return [f"{a.method} {a.path} {a.status} {problem}" for a in answers
            for problem in spec.answer_errors(a.method, a.path, a.status, a.body)]


@pytest.fixture
def athlete(harness: Harness) -> Iterator[tuple[Harness, str, list[int]]]:
    """Athlete 7, connected, with two weeks of the sandbox's varied history and a session
    recorded without GPS; their token and activity ids."""
    token = str(harness.connect(7)["access_token"])
    ids = seed_history(harness.sandbox, 7, days=14, seed=5)
    start = datetime.fromtimestamp(harness.clock.now - 3600, UTC)
    ids.append(store_activity(harness.sandbox, 7, strength_session(start)).id)
    yield harness, token, ids


def successful_answers(harness: Harness, token: str, ids: list[int]) -> list[Answer]:
    answers = [api(harness, "GET", "/athlete", token),
               api(harness, "GET", "/athlete/activities?page=1&per_page=200", token)]
    for activity_id in ids:
        answers += [
            api(harness, "GET", f"/activities/{activity_id}?include_all_efforts=false", token),
            api(harness, "GET", f"/activities/{activity_id}/laps", token),
            api(harness, "GET", f"/activities/{activity_id}/streams?keys=time,distance,latlng,"
                "altitude,velocity_smooth,heartrate,cadence,watts,temp,moving,grade_smooth"
                "&key_by_type=true", token),
            api(harness, "PUT", f"/activities/{activity_id}", token, json=FULL_UPDATE),
        ]
    return answers


def test_every_successful_answer_is_as_the_description_says(
        athlete: tuple[Harness, str, list[int]]) -> None:
    harness, _, ids = athlete
    answers = successful_answers(*athlete)
    assert {a.status for a in answers if "/streams" not in a.path} == {200}
    recorded = {i for i in ids if harness.sandbox.store.activities[i].streams}
    assert 0 < len(recorded) < len(ids)
    assert [a.status for a in answers if "/streams" in a.path] == [
        200 if i in recorded else 404 for i in ids]
    assert departures(answers) == []


def test_answers_carry_no_field_that_strava_neither_describes_nor_is_seen_to_send(
        athlete: tuple[Harness, str, list[int]]) -> None:
    spec = description()
    undescribed: set[str] = set()
    for answer in successful_answers(*athlete):
        operation = spec.operation(answer.method, answer.path)
        assert operation is not None
        schema = spec.answer_schema(operation, answer.status)
        if answer.status != 200 or not ("$ref" in schema or "items" in schema):
            continue
        name = spec.object_name(schema)
        example = spec.example(operation, answer.status)
        for item in answer.body if isinstance(answer.body, list) else [answer.body]:
            undescribed |= spec.undescribed(name, item, example)
    assert undescribed == set()


def test_every_error_the_product_meets_is_a_fault_naming_resource_field_and_code(
        harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    narrow = harness.connect(7, scope="activity:write")["access_token"]
    read_only = harness.connect(7, deny_scope="activity:write")["access_token"]
    run = harness.add_run(7)
    start = datetime.fromtimestamp(harness.clock.now - 7200, UTC)
    manual = store_activity(harness.sandbox, 7, strength_session(start)).id
    answers = [
        api(harness, "GET", "/athlete", "not-a-token"),
        api(harness, "GET", f"/activities/{run}", narrow),
        api(harness, "PUT", f"/activities/{run}", read_only, json={"description": "x"}),
        api(harness, "GET", f"/activities/{run + 1000}", token),
        api(harness, "GET", f"/activities/{manual}/streams?keys=time&key_by_type=true", token),
        api(harness, "GET", f"/activities/{run}/streams?key_by_type=true", token),
        api(harness, "PUT", f"/activities/{run}", token, json={"sport_type": "Jogging"}),
    ]
    harness.client.post("/_sandbox/faults", json={"error_rate": 1, "seed": 3})
    answers.append(api(harness, "GET", "/athlete", token))
    harness.client.post("/_sandbox/faults", json={"inactive": True})
    answers.append(api(harness, "GET", "/athlete", token))
    assert [a.status for a in answers][:7] == [401, 401, 401, 404, 404, 400, 400]
    assert answers[7].status >= 500 and answers[8].status == 403
    assert departures(answers) == []
    for answer in answers:
        assert isinstance(answer.body["message"], str) and answer.body["message"]
        for error in answer.body["errors"]:
            assert {k: type(v) for k, v in error.items()} == {
                "resource": str, "field": str, "code": str}


def test_push_subscription_errors_are_faults_as_well(harness: Harness) -> None:
    """Strava describes push subscriptions on its webhook page, not in the API description;
    their errors are the API's Fault all the same."""
    client = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}
    callback = {"callback_url": "http://app.test/webhook/s3cret", "verify_token": "v"}
    answers = [
        api(harness, "POST", "/push_subscriptions",
            data={**client, "client_secret": "wrong", **callback}),
        api(harness, "POST", "/push_subscriptions", data={**client, "verify_token": "v"}),
        api(harness, "DELETE", f"/push_subscriptions/{FIRST_SUBSCRIPTION_ID}", params=client),
    ]
    assert [a.status for a in answers] == [401, 400, 404]
    spec = description()
    assert [problem for a in answers for problem in spec.violations(FAULT, a.body)] == []
    assert [a.body["errors"][0]["resource"] for a in answers] == [
        "Application", "PushSubscription", "PushSubscription"]


def test_a_spent_quota_answers_429_as_a_fault_with_its_headers() -> None:
    with running(config(limits="2,2000;2,1000")) as harness:
        token = harness.connect(7)["access_token"]
        answers = [api(harness, "GET", "/athlete", token) for _ in range(3)]
    assert [a.status for a in answers] == [200, 200, 429]
    assert departures(answers) == []
    assert answers[2].body["errors"] == [
        {"resource": "Application", "field": "rate limit", "code": "exceeded"}]


@dataclass(frozen=True)
class Exchange:
    """A request the gateway sent, as Strava would read it, and the sandbox's answer."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int
    answer: Any


class SandboxAdapter(BaseAdapter):
    """The gateway's transport seam, wired to the sandbox app; records every exchange."""

    def __init__(self, client: TestClient) -> None:
        super().__init__()
        self.client = client
        self.exchanges: list[Exchange] = []

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Any = None) -> requests.Response:
        url = urlsplit(request.url or "")
        answer = self.client.request(
            request.method or "GET", f"{url.path}?{url.query}" if url.query else url.path,
            content=request.body, headers=dict(request.headers))
        self.exchanges.append(Exchange(
            request.method or "GET", url.path, parse_qs(url.query, keep_blank_values=True),
            _sent_body(request), answer.status_code, answer.json() if answer.content else None))
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def _sent_body(request: requests.PreparedRequest) -> Any:
    if request.body is None:
        return None
    text = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
    if request.headers.get("Content-Type", "").startswith("application/json"):
        return json.loads(text)
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def test_the_gateway_asks_only_what_the_description_declares(
        athlete: tuple[Harness, str, list[int]]) -> None:
    harness, token, ids = athlete
    adapter = SandboxAdapter(harness.client)
    gateway = Gateway(BASE_URL, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
                      session=make_session(BASE_URL, inner=adapter))
    gateway.get_athlete(token)
    listed = gateway.list_activities(token, after=0, page=1)
    for activity_id in ids:
        detail = gateway.get_activity(token, activity_id)
        gateway.get_streams(token, activity_id)
        gateway.update_description(token, activity_id, f"{detail['description']}\n\nblock")
    assert len(listed) == len(ids)
    spec = description()
    base = spec.swagger["basePath"]
    api_calls = [e for e in adapter.exchanges if e.path.startswith(f"{base}/")]
    assert len(api_calls) == len(adapter.exchanges) == 2 + 3 * len(ids)
    used = {f"{e.method} {op.template}" for e in api_calls
            if (op := spec.operation(e.method, e.path.removeprefix(base))) is not None}
    assert used == PRODUCT_OPERATIONS
    problems = [f"{e.method} {e.path}: {problem}" for e in api_calls
                for problem in spec.request_errors(
                    e.method, e.path.removeprefix(base), e.query, e.body)]
    assert problems == []
    answers = [Answer(e.method, e.path.removeprefix(base), e.status, e.answer) for e in api_calls]
    assert departures(answers) == []


def test_a_request_the_description_does_not_declare_is_caught() -> None:
    spec: Description = description()
    assert spec.request_errors("GET", "/athlete/activities", {"per_page": ["200"]}, None) == []
    assert spec.request_errors("GET", "/athlete/activities",
                               {"per_page": ["many"], "sort": ["asc"]}, None) == [
        "query parameter 'sort' is not declared for GET /athlete/activities",
        "per_page='many': not an integer"]
    assert spec.request_errors("GET", "/activities/1/streams",
                               {"keys": ["time,speed"], "key_by_type": ["yes"]}, None) == [
        "keys='time,speed': not one of ['time', 'distance', 'latlng', 'altitude', "
        "'velocity_smooth', 'heartrate', 'cadence', 'watts', 'temp', 'moving', "
        "'grade_smooth']",
        "key_by_type='yes': not true or false"]
    assert spec.request_errors("GET", "/activities/1/streams", {}, None) == [
        "required query parameter 'keys' is missing",
        "required query parameter 'key_by_type' is missing"]
    assert spec.request_errors("PUT", "/activities/1", {},
                               {"description": "x", "private": True}) == [
        "field 'private' is not one of UpdatableActivity's"]
    assert spec.request_errors("PUT", "/activities/1", {}, {"trainer": "yes"}) == [
        "trainer: 'yes' is not valid under any of the given schemas"]
    assert spec.request_errors("DELETE", "/activities/1", {}, None) == [
        "DELETE /activities/1 is not in the description"]


def test_an_answer_the_description_does_not_allow_is_caught() -> None:
    spec = description()
    assert spec.answer_errors("GET", "/activities/1", 200, {"id": 1, "distance": 5000.0}) == []
    assert spec.answer_errors("GET", "/activities/1", 200, {"distance": "5 km"}) == [
        "distance: '5 km' is not valid under any of the given schemas"]
    assert spec.answer_errors("GET", "/activities/1", 200,
                              {"start_date": "yesterday morning"}) != []
    assert spec.answer_errors("GET", "/activities/1", 200, {"start_latlng": [1.0]}) != []
    assert spec.answer_errors("GET", "/activities/1", 404, {"message": "Record Not Found",
                                                            "errors": "id"}) != []
    assert spec.undescribed("DetailedActivity", {
        "id": 1, "heartrate_opt_out": False, "laps": [{"id": 2, "activity": {"id": 1, "x": 0}}],
        "map": {"id": "a1", "summary_polyline": ""}}, None) == {
        "DetailedActivity.heartrate_opt_out", "MetaActivity.x"}
