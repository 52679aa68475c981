"""GET /connect and GET /auth/callback: state bound to the browser, scopes checked, clients
limited by address."""

from __future__ import annotations

import html
import re
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import requests
import uvicorn
from sqlalchemy import select
from starlette.testclient import TestClient

from tests.support import http
from tests.support.doubles import Unreachable
from tests.worker.conftest import TOKEN, sandbox_calls
from worker import forget
from worker.budget import QuotaExhausted
from worker.devstack import free_port
from worker.models import Athlete, utcnow
from worker.runtime import Runtime
from worker.strava import TokenGrant
from worker.sweeper import sweep
from worker.web import create_app
from worker.web.limits import server_config
from worker.web.oauth import SCOPE, STATE_COOKIE
from worker.web.ratelimit import OAUTH_BURST, ClientBuckets


def browser(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt), base_url=rt.settings.public_url)


def operator(rt: Runtime) -> TestClient:
    """A client on the web process's own host, where /metrics answers without a token."""
    return TestClient(create_app(rt), base_url=rt.settings.public_url,
                      client=("127.0.0.1", 40000))


def test_connect_redirects_to_strava_with_the_contract_parameters(runtime: Runtime) -> None:
    answer = browser(runtime).get("/connect", follow_redirects=False)
    assert answer.status_code == 302
    url = urlsplit(answer.headers["location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        f"{runtime.settings.strava_base_url}/oauth/authorize")
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["client_id"] == str(runtime.settings.client_id)
    assert query["redirect_uri"] == f"{runtime.settings.public_url}/auth/callback"
    assert query["response_type"] == "code"
    assert query["scope"] == SCOPE
    assert answer.cookies[STATE_COOKIE] == query["state"]


def test_forged_callback_without_the_browser_state_is_refused(runtime: Runtime) -> None:
    client = browser(runtime)
    client.get("/connect", follow_redirects=False)
    answer = client.get("/auth/callback", params={"state": "forged", "code": "c",
                                                  "scope": SCOPE})
    assert answer.status_code == 400
    with runtime.db.session() as session:
        assert session.scalars(select(Athlete)).first() is None


def test_athlete_who_unticked_write_gets_a_page_saying_what_is_missing(
    strava_runtime: Runtime,
) -> None:
    client = browser(strava_runtime)
    to_strava = client.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"]
                        + "&sandbox_athlete=77&sandbox_deny_scope=activity:write")
    back = urlsplit(approved.headers["location"])
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 403
    missing = refusal(answer.text)
    assert missing["missing"] == ["write feedback into your activities' descriptions"]
    assert "activity:write" not in answer.text  # the permission in words, not Strava's name
    assert missing["connect_again"] == "/connect" and missing["layout"]
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, 77) is None


def refusal(page: str) -> dict[str, Any]:
    """What an OAuth refusal page shows: its language, the permissions it names as missing,
    where its "Connect again" leads, and whether it has the site's layout."""
    lang = re.search(r'<html lang="([a-z]+)"', page)
    again = re.search(r'<a id="connect-again" class="strava-connect" href="([^"]+)">', page)
    listed = re.search(r'<ul id="missing">(.*?)</ul>', page, re.S)
    return {"lang": lang.group(1) if lang else None,
            "missing": [html.unescape(item.strip()) for item in
                        re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)] if listed else [],
            "connect_again": again.group(1) if again else None,
            "layout": 'class="skip-link"' in page and "<footer" in page}


@pytest.mark.parametrize(("language", "words"), [
    ("de", "deine Aktivitäten lesen, auch die privaten"),
    ("fr", "lire vos activités, même les privées"),
    ("es", "leer tus actividades, también las privadas"),
])
def test_a_refusal_speaks_the_visitors_language_and_offers_to_connect_again(
    strava_runtime: Runtime, language: str, words: str
) -> None:
    client = browser(strava_runtime)
    client.headers["accept-language"] = f"{language},en;q=0.5"
    answer = client.get(approve(client, 88, "&sandbox_deny_scope=activity:read_all"))
    assert answer.status_code == 403
    shown = refusal(answer.text)
    assert (shown["lang"], shown["missing"], shown["connect_again"]) == \
        (language, [words], "/connect") and shown["layout"]


def test_an_athlete_who_refused_at_strava_is_told_so_in_their_language_with_connect_again(
    strava_runtime: Runtime,
) -> None:
    client = browser(strava_runtime)
    client.headers["accept-language"] = "es"
    to_strava = client.get("/connect", follow_redirects=False)
    state = parse_qs(urlsplit(to_strava.headers["location"]).query)["state"][0]
    answer = client.get("/auth/callback", params={"state": state, "error": "access_denied"})
    assert answer.status_code == 200
    shown = refusal(answer.text)
    assert (shown["lang"], shown["connect_again"]) == ("es", "/connect") and shown["layout"]
    assert "<h1>No conectado</h1>" in answer.text


def test_connected_athlete_is_stored_with_encrypted_tokens(strava_runtime: Runtime) -> None:
    client = browser(strava_runtime)
    assert client.get(approve(client, 78)).status_code == 200
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, 78)
        assert athlete is not None and athlete.status == "active"
        token = strava_runtime.cipher.decrypt(athlete.access_token)
        assert token and token not in athlete.access_token
    assert strava_runtime.redis.hlen("stridewise:backfill.msgs") == 1


def test_healthz_reports_database_and_redis(runtime: Runtime) -> None:
    answer = browser(runtime).get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"database": "ok", "redis": "ok"}


def test_metrics_count_webhook_events(runtime: Runtime) -> None:
    client = operator(runtime)
    client.post(f"/webhook/{runtime.settings.webhook_secret}", content=b"not json",
                headers={"content-type": "application/json"})
    text = client.get("/metrics").text
    assert 'stridewise_webhook_events_total{aspect_type="invalid"' in text


def test_metrics_show_cluster_figures_counted_by_workers(strava_runtime: Runtime) -> None:
    client = operator(strava_runtime)
    strava_runtime.counters.job("handle_event", "done")
    strava_runtime.gateway.list_subscriptions()  # one Strava request, counted by the hook
    text = client.get("/metrics").text
    assert 'stridewise_jobs_total{actor="handle_event",outcome="done"} 1.0' in text
    assert ('stridewise_strava_requests_total{endpoint="/api/v3/push_subscriptions",'
            'method="GET",status="200"} 1.0') in text
    assert 'stridewise_queue_depth{queue="live"}' in text
    assert "stridewise_stranded_jobs" in text
    assert 'stridewise_strava_quota_limit{quota="read",window="short"} 100.0' in text


def test_a_backfill_that_cannot_be_sent_at_connect_is_kept_and_sent_by_the_sweeper(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def redis_down(message: object, *, delay: int | None = None) -> object:
        raise redis.ConnectionError("Error 111 connecting to Redis: Connection refused")

    client = browser(strava_runtime)
    callback = approve(client, 79)
    with monkeypatch.context() as patched:
        patched.setattr(strava_runtime.broker, "enqueue", redis_down)
        assert client.get(callback).status_code == 200
    assert strava_runtime.jobs.counts() == {"unsent": 1}
    assert strava_runtime.redis.hlen("stridewise:backfill.msgs") == 0
    sweep(strava_runtime)
    assert strava_runtime.jobs.counts() == {}
    assert strava_runtime.redis.hlen("stridewise:backfill.msgs") == 1


def approve(client: TestClient, athlete_id: int, extra: str = "") -> str:
    """Go to Strava, approve there, and return the callback URL Strava sends the browser to."""
    to_strava = client.get("/connect", follow_redirects=False)
    approved = http.get(to_strava.headers["location"] + f"&sandbox_athlete={athlete_id}{extra}")
    back = urlsplit(approved.headers["location"])
    return f"{back.path}?{back.query}"


def test_a_state_serves_one_callback_only(strava_runtime: Runtime) -> None:
    client = browser(strava_runtime)
    callback = approve(client, 81)
    assert client.get(callback).status_code == 200
    client.cookies.set(STATE_COOKIE, parse_qs(urlsplit(callback).query)["state"][0],
                       path="/auth")
    assert client.get(callback).status_code == 400


def test_athlete_who_did_not_grant_read_all_gets_a_page_saying_what_is_missing(
    strava_runtime: Runtime,
) -> None:
    client = browser(strava_runtime)
    answer = client.get(approve(client, 82, "&sandbox_deny_scope=activity:read_all"))
    assert answer.status_code == 403
    assert refusal(answer.text)["missing"] == ["read your activities, the private ones too"]
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, 82) is None


def test_the_code_exchange_counts_in_the_budget(strava_runtime: Runtime) -> None:
    before = strava_runtime.budget.usage().overall_short
    client = browser(strava_runtime)
    assert client.get(approve(client, 83)).status_code == 200
    assert strava_runtime.budget.usage().overall_short > before


def test_a_reconnect_within_a_day_of_a_backfill_starts_no_other(strava_runtime: Runtime) -> None:
    client = browser(strava_runtime)
    assert client.get(approve(client, 84)).status_code == 200
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, 84)
        assert athlete is not None
        athlete.history_since = athlete.history_read_at = utcnow()
        first_connect = athlete.connected_at
    sent = strava_runtime.redis.hlen("stridewise:backfill.msgs")
    assert client.get(approve(client, 84)).status_code == 200
    assert strava_runtime.redis.hlen("stridewise:backfill.msgs") == sent
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, 84)
        assert athlete is not None and athlete.connected_at > first_connect


def test_forget_deletes_locally_when_strava_cannot_revoke(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        athlete = Athlete(id=85, scope=SCOPE, expires_at=int(time.time()) + 3600)
        runtime.tokens.store(athlete, TokenGrant("access", "refresh", athlete.expires_at, None))
        session.add(athlete)
    runtime.gateway.session.mount("https://", Unreachable())
    runtime.gateway.session.mount("http://", Unreachable())
    forget.forget_athlete(runtime, 85, revoke=True)
    with runtime.db.session() as session:
        assert session.get(Athlete, 85) is None


def test_a_client_past_its_sign_in_allowance_gets_429_and_costs_nothing(
    strava_runtime: Runtime,
) -> None:
    app = create_app(strava_runtime)
    client = TestClient(app, base_url=strava_runtime.settings.public_url,
                        client=("198.51.100.7", 40000))
    callback = approve(client, 86)  # its /connect is the first of the allowance
    for _ in range(OAUTH_BURST - 1):
        assert client.get("/auth/callback?state=forged&code=c").status_code == 400
    states = len(strava_runtime.redis.keys("stridewise:oauth:state:*"))
    tokens_before, budget_before = sandbox_calls(strava_runtime, TOKEN), (
        strava_runtime.budget.usage().overall_short)

    refused = client.get(callback)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "Too many sign-in attempts" in refused.text
    assert client.get("/connect", follow_redirects=False).status_code == 429
    assert sandbox_calls(strava_runtime, TOKEN) == tokens_before
    assert strava_runtime.budget.usage().overall_short == budget_before
    assert len(strava_runtime.redis.keys("stridewise:oauth:state:*")) == states
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, 86) is None

    elsewhere = TestClient(app, base_url=strava_runtime.settings.public_url,
                           client=("198.51.100.8", 40000))
    assert elsewhere.get(approve(elsewhere, 87)).status_code == 200


def test_a_bucket_gives_one_request_back_per_refill_and_forgets_the_oldest_client() -> None:
    now = [0.0]
    buckets = ClientBuckets(burst=2, refill_s=6.0, max_clients=2, clock=lambda: now[0])
    assert [buckets.take("a"), buckets.take("a")] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(6.0)
    now[0] = 3.0
    assert buckets.take("a") == pytest.approx(3.0)  # half a token back: half the wait left
    now[0] = 9.0
    assert buckets.take("a") == 0.0
    assert buckets.take("b") == 0.0
    assert buckets.take("c") == 0.0  # "a" is forgotten: only two clients are remembered
    assert buckets.take("a") == 0.0 and buckets.take("a") == 0.0


def test_behind_a_loopback_proxy_each_forwarded_address_has_its_own_allowance(
    runtime: Runtime,
) -> None:
    port = free_port()
    server = uvicorn.Server(server_config(create_app(runtime), "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}/connect"

        def connect_from(address: str) -> int:
            return http.get(url, headers={"x-forwarded-for": address}, timeout=10).status_code

        assert [connect_from("203.0.113.1") for _ in range(OAUTH_BURST)] == [302] * OAUTH_BURST
        assert connect_from("203.0.113.1") == 429
        assert connect_from("203.0.113.2") == 302
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_a_sign_in_meeting_a_quota_windows_last_second_waits_for_the_reset(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    budget, acquire = strava_runtime.budget, strava_runtime.budget.acquire
    refused = []

    def at_the_edge(*args: Any, **kwargs: Any) -> Any:
        if not refused:
            refused.append(time.time())
            raise QuotaExhausted("the short window is about to reset", time.time() + 0.3)
        return acquire(*args, **kwargs)

    client = browser(strava_runtime)
    callback = approve(client, 81)
    monkeypatch.setattr(budget, "acquire", at_the_edge)
    answer = client.get(callback)
    assert refused and answer.status_code == 200 and answer.url.path == "/me"
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, 81) is not None


def test_a_sign_in_with_the_quota_spent_says_when_to_come_back_and_asks_strava_nothing(
    strava_runtime: Runtime,
) -> None:
    client = browser(strava_runtime)
    callback = approve(client, 82)
    strava_runtime.budget.pause(600, "test: quota spent")
    before = sandbox_calls(strava_runtime, TOKEN)
    answer = client.get(callback)
    assert answer.status_code == 503
    assert "Please connect again in 10 minutes." in answer.text
    assert sandbox_calls(strava_runtime, TOKEN) == before
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, 82) is None


class NotYetPropagated(requests.adapters.BaseAdapter):
    """Strava a moment after its redirect: the first ``refusals`` code exchanges are answered
    400 AuthorizationCode invalid (without reaching the sandbox); the rest pass on to ``inner``."""

    def __init__(self, inner: requests.adapters.BaseAdapter, refusals: int) -> None:
        super().__init__()
        self.inner, self.refusals = inner, refusals
        self.exchanges: list[float] = []

    def send(self, request: requests.PreparedRequest, *args: Any,
             **kwargs: Any) -> requests.Response:
        body = request.body if isinstance(request.body, str) else str(request.body)
        if "grant_type=authorization_code" not in body:
            return self.inner.send(request, *args, **kwargs)
        self.exchanges.append(time.monotonic())
        if len(self.exchanges) > self.refusals:
            return self.inner.send(request, *args, **kwargs)
        refused = requests.Response()
        refused.status_code, refused.reason, refused.url = 400, "Bad Request", request.url or ""
        refused.headers["content-type"] = "application/json"
        refused._content = (b'{"message":"Bad Request","errors":[{"resource":"AuthorizationCode",'
                            b'"field":"code","code":"invalid"}]}')
        refused.request = request
        return refused

    def close(self) -> None:
        self.inner.close()


def not_yet_propagated(rt: Runtime, refusals: int) -> NotYetPropagated:
    session = rt.gateway.session
    strava = NotYetPropagated(session.adapters["https://"], refusals)
    session.mount("https://", strava)  # stravalib writes https://www.strava.com into every URL
    return strava


def test_a_code_strava_refuses_right_after_its_redirect_is_exchanged_again_and_connects(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("worker.web.oauth.CODE_RETRY_AFTER_S", 0.3)
    client = browser(strava_runtime)
    callback = approve(client, 83)
    strava = not_yet_propagated(strava_runtime, refusals=1)
    answer = client.get(callback)
    assert answer.status_code == 200 and answer.url.path == "/me"
    assert len(strava.exchanges) == 2 and strava.exchanges[1] - strava.exchanges[0] >= 0.3
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, 83) is not None


def test_a_code_strava_refuses_twice_is_given_up_with_a_page_and_nothing_stored(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("worker.web.oauth.CODE_RETRY_AFTER_S", 0.0)
    client = browser(strava_runtime)
    callback = approve(client, 84)
    strava = not_yet_propagated(strava_runtime, refusals=2)
    answer = client.get(callback)
    assert answer.status_code == 502 and "Please connect again" in answer.text
    assert len(strava.exchanges) == 2
    with strava_runtime.db.session() as session:
        assert session.get(Athlete, 84) is None


def test_a_callback_claiming_a_scope_strava_did_not_grant_costs_one_read_then_asks_to_reconnect(
    strava_runtime: Runtime,
) -> None:
    from tests.support.athlete import upload
    from worker.sync import sync_activity
    from worker.tokens import AthleteUnavailable

    # Strava's token answer names no scope (stravalib's AccessInfo: the tokens and their
    # expiry), so the callback's word is all there is; the athlete who edits it to claim
    # activity:read_all is found out by Strava's first refusal.
    client = browser(strava_runtime)
    callback = approve(client, 5150, "&sandbox_deny_scope=activity:read_all,activity:read")
    claimed = callback.replace("scope=read%2Cactivity%3Awrite",
                               "scope=read%2Cactivity%3Aread_all%2Cactivity%3Awrite")
    assert claimed != callback and client.get(claimed).status_code == 200
    before = sandbox_calls(strava_runtime, "GET /athlete/activities")
    with pytest.raises(AthleteUnavailable, match="activity:read_permission"):
        sync_activity(strava_runtime, 5150, upload(strava_runtime))
    assert sandbox_calls(strava_runtime, "GET /athlete/activities") == before + 1
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, 5150)
        assert athlete is not None and athlete.status == "needs_reauth"
