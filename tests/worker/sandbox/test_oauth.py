"""OAuth: auto-approval, single-use codes, refresh rotation, scopes and deauthorization, and
the token endpoint's refusals in the status and body Strava sends."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.worker.sandbox.conftest import Harness, bearer
from worker.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

CLIENT: dict[str, str | int] = {"client_id": SANDBOX_CLIENT_ID,
                                 "client_secret": SANDBOX_CLIENT_SECRET}
#: Strava's answer to a revoked or rotated refresh token, byte for byte as reported.
REFRESH_TOKEN_INVALID = {"message": "Bad Request", "errors": [
    {"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}]}


def authorize(harness: Harness, **extra: str | int) -> dict[str, list[str]]:
    params: dict[str, str | int] = {"client_id": SANDBOX_CLIENT_ID, "redirect_uri": "http://app.test/cb?x=1",
              "response_type": "code", "scope": "activity:read_all", "state": "abc", **extra}
    response = harness.client.get("/oauth/authorize", params=params, follow_redirects=False)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert location.netloc == "app.test"
    return parse_qs(location.query)


def refresh(harness: Harness, token: str) -> tuple[int, dict[str, Any]]:
    response = harness.client.post("/oauth/token", data={
        **CLIENT, "grant_type": "refresh_token", "refresh_token": token})
    return response.status_code, response.json()


def test_authorize_redirects_back_with_state_code_and_granted_scope(harness: Harness) -> None:
    query = authorize(harness, sandbox_athlete=55)
    assert query["state"] == ["abc"] and query["x"] == ["1"]
    assert query["scope"] == ["read,activity:read_all"]
    token = harness.client.post("/oauth/token", data={
        **CLIENT, "code": query["code"][0], "grant_type": "authorization_code"}).json()
    assert token["athlete"]["id"] == 55 and token["token_type"] == "Bearer"
    assert token["expires_at"] - token["expires_in"] == int(harness.clock.now)


def test_authorize_without_an_athlete_connects_the_demo_athlete(harness: Harness) -> None:
    code = authorize(harness)["code"][0]
    token = harness.client.post("/oauth/token", data={
        **CLIENT, "code": code, "grant_type": "authorization_code"}).json()
    assert token["athlete"]["id"] == harness.sandbox.config.demo_athlete_id


def test_athlete_who_declines_comes_back_with_access_denied(harness: Harness) -> None:
    query = authorize(harness, sandbox_deny=1)
    assert query["error"] == ["access_denied"] and "code" not in query


def test_codes_are_single_use(harness: Harness) -> None:
    code = authorize(harness)["code"][0]
    form = {**CLIENT, "code": code, "grant_type": "authorization_code"}
    assert harness.client.post("/oauth/token", data=form).status_code == 200
    again = harness.client.post("/oauth/token", data=form)
    assert again.status_code == 400
    assert again.json() == {"message": "Bad Request", "errors": [
        {"resource": "AuthorizationCode", "field": "code", "code": "invalid"}]}


def test_wrong_client_secret_is_refused_with_an_authorization_error(harness: Harness) -> None:
    code = authorize(harness)["code"][0]
    response = harness.client.post("/oauth/token", data={
        "client_id": SANDBOX_CLIENT_ID, "client_secret": "guess", "code": code,
        "grant_type": "authorization_code"})
    assert response.status_code == 401
    assert response.json() == {"message": "Authorization Error", "errors": [
        {"resource": "Application", "field": "", "code": "invalid"}]}


def test_an_unknown_client_is_a_bad_request_naming_the_client_id(harness: Harness) -> None:
    response = harness.client.post("/oauth/token", data={
        "client_id": SANDBOX_CLIENT_ID + 1, "client_secret": SANDBOX_CLIENT_SECRET,
        "refresh_token": harness.connect(7)["refresh_token"], "grant_type": "refresh_token"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"resource": "Application", "field": "client_id", "code": "invalid"}]


def test_refresh_rotates_and_the_old_refresh_token_stops_working(harness: Harness) -> None:
    first = harness.connect(7)
    status, second = refresh(harness, first["refresh_token"])
    assert status == 200 and "athlete" not in second
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert refresh(harness, first["refresh_token"]) == (400, REFRESH_TOKEN_INVALID)
    assert refresh(harness, second["refresh_token"])[0] == 200


def test_deauthorize_revokes_tokens_then_refuses_the_refresh_as_a_bad_request(
    harness: Harness,
) -> None:
    token = harness.connect(7)
    response = harness.client.post("/oauth/deauthorize",
                                   data={"access_token": token["access_token"]})
    assert response.json() == {"access_token": token["access_token"]}
    assert harness.client.get("/api/v3/athlete",
                              headers=bearer(token["access_token"])).status_code == 401
    assert refresh(harness, token["refresh_token"]) == (400, REFRESH_TOKEN_INVALID)
    assert harness.sandbox.store.athletes[7].authorized is False


def test_reconnecting_after_deauthorization_grants_fresh_tokens(harness: Harness) -> None:
    old = harness.connect(7)
    harness.client.post("/_sandbox/athletes/7/deauthorize")
    new = harness.connect(7)
    assert harness.client.get("/api/v3/athlete",
                              headers=bearer(new["access_token"])).status_code == 200
    assert refresh(harness, old["refresh_token"]) == (400, REFRESH_TOKEN_INVALID)
