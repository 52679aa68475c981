"""The /api/v3 athlete and activity endpoints: auth, scopes, visibility, PUT and streams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.worker.sandbox.conftest import Harness, bearer, strength_session
from worker.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from worker.sandbox.api import MAX_PER_PAGE
from worker.sandbox.control import store_activity
from worker.sandbox.webhooks import WebhookSender

AUTH_ERROR = {"message": "Authorization Error",
              "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}]}


def test_requests_without_a_valid_bearer_token_get_strava_authorization_error(
        harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    activity_id = harness.add_run(7)
    url = f"/api/v3/activities/{activity_id}"
    for headers in ({}, bearer("not-a-token"), {"Authorization": f"token {token}"}):
        response = harness.client.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == AUTH_ERROR
    assert harness.client.get(url, params={"access_token": str(token)}).status_code == 401
    assert harness.client.get(url, headers=bearer(token)).status_code == 200


def test_token_expires_after_its_lifetime(harness: Harness) -> None:
    token = harness.connect(7)
    harness.clock.advance(harness.sandbox.config.token_ttl_s - 1)
    assert harness.client.get("/api/v3/athlete", headers=bearer(token["access_token"])).is_success
    harness.clock.advance(1)
    response = harness.client.get("/api/v3/athlete", headers=bearer(token["access_token"]))
    assert response.json() == AUTH_ERROR


def test_athlete_is_the_token_owner(harness: Harness) -> None:
    token = harness.connect(1234)["access_token"]
    athlete = harness.client.get("/api/v3/athlete", headers=bearer(token)).json()
    assert athlete["id"] == 1234 and athlete["resource_state"] == 3


def test_missing_read_scope_is_named_in_the_error(harness: Harness) -> None:
    token = harness.connect(7, scope="activity:write")["access_token"]
    response = harness.client.get("/api/v3/athlete/activities", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["errors"] == [
        {"resource": "AccessToken", "field": "activity:read_permission", "code": "missing"}]


def test_put_without_write_scope_is_refused_and_changes_nothing(harness: Harness) -> None:
    token = harness.connect(7, deny_scope="activity:write")["access_token"]
    activity_id = harness.add_run(7)
    response = harness.client.put(f"/api/v3/activities/{activity_id}",
                                  json={"description": "x"}, headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "activity:write_permission"
    assert harness.sandbox.store.activities[activity_id].detail["description"] == ""


def test_other_athletes_activities_and_unknown_ids_are_record_not_found(
        harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    theirs = harness.add_run(8)
    for activity_id in (theirs, theirs + 1000):
        response = harness.client.get(f"/api/v3/activities/{activity_id}", headers=bearer(token))
        assert response.status_code == 404
        assert response.json() == {"message": "Record Not Found", "errors": [
            {"resource": "Activity", "field": "id", "code": "invalid"}]}


def test_private_activities_need_read_all(harness: Harness) -> None:
    private = harness.add_run(7, private=True)
    public = harness.add_run(7, minutes_ago=600)
    narrow = harness.connect(7, scope="activity:read")["access_token"]
    wide = harness.connect(7, scope="activity:read_all")["access_token"]

    def listed(token: object) -> list[int]:
        response = harness.client.get("/api/v3/athlete/activities", headers=bearer(token))
        return [a["id"] for a in response.json()]

    assert listed(narrow) == [public]
    assert listed(wide) == [private, public]
    assert harness.client.get(f"/api/v3/activities/{private}",
                              headers=bearer(narrow)).status_code == 404
    assert harness.client.get(f"/api/v3/activities/{private}",
                              headers=bearer(wide)).json()["private"] is True


def test_listing_is_newest_first_filtered_by_epoch_and_paged(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    ids = [harness.add_run(7, minutes_ago=60 * 24 * day) for day in range(5)]
    cutoff = int(harness.clock.now - 60 * 60 * 24 * 2.5)
    get = harness.client.get
    newer = get("/api/v3/athlete/activities", params={"after": cutoff}, headers=bearer(token))
    older = get("/api/v3/athlete/activities", params={"before": cutoff}, headers=bearer(token))
    assert [a["id"] for a in newer.json()] == ids[:3]
    assert [a["id"] for a in older.json()] == ids[3:]
    page2 = get("/api/v3/athlete/activities", params={"page": 2, "per_page": 2},
                headers=bearer(token))
    assert [a["id"] for a in page2.json()] == ids[2:4]
    assert all(a["resource_state"] == 2 and "description" not in a for a in newer.json())


def test_per_page_is_capped_at_strava_maximum(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    start = datetime.fromtimestamp(harness.clock.now, UTC)
    for hour in range(MAX_PER_PAGE + 5):
        store_activity(harness.sandbox, 7, strength_session(start - timedelta(hours=hour + 1)))
    response = harness.client.get("/api/v3/athlete/activities", params={"per_page": 500},
                                  headers=bearer(token))
    assert len(response.json()) == MAX_PER_PAGE
    assert len(harness.client.get("/api/v3/athlete/activities",
                                  headers=bearer(token)).json()) == 30


def test_put_of_description_alone_sends_no_webhook(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    published: list[dict[str, str]] = []
    def publish(self: WebhookSender, aspect: str, kind: str, object_id: int, owner: int,
                updates: dict[str, str], now: float) -> bool:
        published.append(updates)
        return True

    monkeypatch.setattr(WebhookSender, "publish", publish)
    token = harness.connect(7)["access_token"]
    activity_id = harness.add_run(7)
    url = f"/api/v3/activities/{activity_id}"
    body = harness.client.put(url, json={"description": "Felt good\n\n-- block --",
                                         "kudos": 5}, headers=bearer(token)).json()
    assert body["description"] == "Felt good\n\n-- block --" and "kudos" not in body
    assert published == []
    harness.client.put(url, data={"name": "Track Tuesday", "commute": "true"},
                       headers=bearer(token))
    stored = harness.sandbox.store.activities[activity_id].detail
    assert stored["name"] == "Track Tuesday" and stored["commute"] is True
    assert published == [{"title": "Track Tuesday"}]
    harness.client.put(url, json={"sport_type": "TrailRun", "type": "Ride"}, headers=bearer(token))
    assert (stored["sport_type"], stored["type"]) == ("TrailRun", "Run")


def test_put_with_unknown_sport_type_is_a_bad_request(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    activity_id = harness.add_run(7)
    response = harness.client.put(f"/api/v3/activities/{activity_id}",
                                  json={"sport_type": "Jogging"}, headers=bearer(token))
    assert response.status_code == 400
    assert harness.sandbox.store.activities[activity_id].detail["sport_type"] == "Run"


def test_streams_keyed_by_type_or_as_strava_list(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    activity_id = harness.add_run(7)
    url = f"/api/v3/activities/{activity_id}/streams"
    keyed = harness.client.get(url, params={"keys": "heartrate,latlng", "key_by_type": "true"},
                               headers=bearer(token)).json()
    assert set(keyed) == {"heartrate", "latlng", "distance"}
    assert "type" not in keyed["heartrate"]
    sizes = {len(s["data"]) for s in keyed.values()} | {s["original_size"] for s in keyed.values()}
    assert sizes == {len(harness.sandbox.store.activities[activity_id].streams["time"])}
    listed = harness.client.get(url, params={"keys": "time,watts", "series_type": "time"},
                                headers=bearer(token)).json()
    assert [(s["type"], s["series_type"]) for s in listed] == [("time", "time")]
    missing = harness.client.get(url, headers=bearer(token))
    assert missing.status_code == 400


def test_activity_without_samples_has_no_streams_but_has_a_detail(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    start = datetime.fromtimestamp(harness.clock.now - 3600, UTC)
    stored = store_activity(harness.sandbox, 7, strength_session(start))
    response = harness.client.get(f"/api/v3/activities/{stored.id}/streams",
                                  params={"keys": "time", "key_by_type": "true"},
                                  headers=bearer(token))
    assert response.status_code == 404
    detail = harness.client.get(f"/api/v3/activities/{stored.id}", headers=bearer(token)).json()
    assert detail["sport_type"] == "WeightTraining" and detail["laps"] == []
    assert detail["start_latlng"] == [] and detail["workout_type"] is None


def test_laps_endpoint_serves_the_activity_laps(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    activity_id = harness.add_run(7)
    laps = harness.client.get(f"/api/v3/activities/{activity_id}/laps",
                              headers=bearer(token)).json()
    detail = harness.sandbox.store.activities[activity_id].detail
    assert laps == detail["laps"]
    assert sum(lap["elapsed_time"] for lap in laps) == detail["elapsed_time"]


def test_an_athletes_token_lifetime_set_at_run_time_applies_to_their_next_tokens(
        harness: Harness) -> None:
    assert harness.client.post("/_sandbox/athletes/7/token_ttl",
                               json={"seconds": 300}).json() == {"seconds": 300}
    token = harness.connect(7)
    other = harness.connect(8)
    assert (token["expires_in"], other["expires_in"]) == (300, harness.sandbox.config.token_ttl_s)
    harness.clock.advance(300)
    response = harness.client.get("/api/v3/athlete", headers=bearer(token["access_token"]))
    assert response.json() == AUTH_ERROR
    refreshed = harness.client.post("/oauth/token", data={
        "client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET,
        "grant_type": "refresh_token", "refresh_token": token["refresh_token"]}).json()
    assert refreshed["expires_in"] == 300
    back = harness.client.post("/_sandbox/athletes/7/token_ttl", json={"seconds": None})
    assert back.json() == {"seconds": harness.sandbox.config.token_ttl_s}
    assert harness.connect(7)["expires_in"] == harness.sandbox.config.token_ttl_s


@pytest.mark.parametrize("body", [{}, {"seconds": -1}, {"seconds": "300"}, {"seconds": 1.5}])
def test_an_unusable_token_lifetime_is_refused(harness: Harness, body: dict[str, object]) -> None:
    assert harness.client.post("/_sandbox/athletes/7/token_ttl", json=body).status_code == 400
    assert harness.connect(7)["expires_in"] == harness.sandbox.config.token_ttl_s
