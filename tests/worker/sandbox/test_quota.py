"""Rate limits: Strava's headers, epoch-aligned windows, every request counted, 429 past a limit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.worker.sandbox.conftest import FrozenClock, Harness, bearer, config, running
from worker.ratelimits import RateLimits, RateWindows
from worker.sandbox.quota import RateLimiter

RATE_LIMITED = {"message": "Rate Limit Exceeded",
                "errors": [{"resource": "Application", "field": "rate limit", "code": "exceeded"}]}


@pytest.fixture
def tight() -> Iterator[Harness]:
    on_boundary = FrozenClock(now=86400.0 * 20_000)
    with running(config(limits="6,8;4,100"), on_boundary) as harness:
        yield harness


def test_every_api_response_carries_strava_rate_limit_headers(harness: Harness) -> None:
    response = harness.client.get("/api/v3/athlete")
    assert response.status_code == 401
    assert response.headers["X-RateLimit-Limit"] == "200,2000"
    assert response.headers["X-RateLimit-Usage"] == "1,1"
    assert response.headers["X-ReadRateLimit-Limit"] == "100,1000"
    assert response.headers["X-ReadRateLimit-Usage"] == "1,1"


def test_oauth_and_control_requests_are_not_metered(harness: Harness) -> None:
    harness.connect(7)
    harness.client.get("/_sandbox/stats")
    usage = harness.client.get("/api/v3/athlete").headers["X-RateLimit-Usage"]
    assert usage == "1,1"


def test_past_the_short_limit_every_request_is_429_and_still_counts(tight: Harness) -> None:
    token = tight.connect(7)["access_token"]
    statuses = [tight.client.get("/api/v3/athlete", headers=bearer(token)).status_code
                for _ in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    refused = tight.client.get("/api/v3/athlete", headers=bearer(token))
    assert refused.json() == RATE_LIMITED
    assert refused.headers["X-ReadRateLimit-Usage"] == "7,7"
    assert tight.client.get("/_sandbox/stats").json()["rate_limited"] == 3


def test_the_short_window_resets_at_its_epoch_boundary_but_the_day_does_not(
        tight: Harness) -> None:
    token = tight.connect(7)["access_token"]
    for _ in range(5):
        tight.client.get("/api/v3/athlete", headers=bearer(token))
    tight.clock.advance(899)
    assert tight.client.get("/api/v3/athlete", headers=bearer(token)).status_code == 429
    tight.clock.advance(1)
    fresh = tight.client.get("/api/v3/athlete", headers=bearer(token))
    assert fresh.status_code == 200
    assert fresh.headers["X-RateLimit-Usage"] == "1,7"
    tight.client.get("/api/v3/athlete", headers=bearer(token))
    over_day = tight.client.get("/api/v3/athlete", headers=bearer(token))
    assert over_day.status_code == 429 and over_day.headers["X-RateLimit-Usage"] == "3,9"


def test_rejected_requests_count_against_quota(tight: Harness) -> None:
    for _ in range(4):
        assert tight.client.get("/api/v3/activities/1").status_code == 401
    assert tight.client.get("/api/v3/athlete").status_code == 429


@given(times=st.lists(st.integers(min_value=0, max_value=10 * 86400), max_size=60))
def test_usage_counts_the_hits_inside_the_current_windows(times: list[int]) -> None:
    windows = RateWindows(900, 86400)
    limiter = RateLimiter(RateLimits(10**6, 10**6, 10**6, 10**6), windows)
    times = sorted(times)
    for t in times:
        limiter.hit(t, counts_as_read=True)
    if times:
        now = times[-1]
        usage = limiter.usage(now)
        assert usage.overall_short == sum(t // 900 == now // 900 for t in times)
        assert usage.read_daily == sum(t // 86400 == now // 86400 for t in times)


def test_a_quota_set_at_run_time_applies_from_zero_and_can_be_put_back(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    for _ in range(3):
        harness.client.get("/api/v3/athlete", headers=bearer(token))
    answer = harness.client.post("/_sandbox/quota", json={"limits": "6,8;2,100"})
    assert answer.json() == {"limits": "6,8;2,100"}
    statuses = [harness.client.get("/api/v3/athlete", headers=bearer(token)) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert statuses[0].headers["X-RateLimit-Limit"] == "6,8"
    assert statuses[0].headers["X-ReadRateLimit-Usage"] == "1,1"
    assert harness.client.post("/_sandbox/quota", json={}).json() == {"limits": "200,2000;100,1000"}
    response = harness.client.get("/api/v3/athlete", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == "200,2000"
    assert response.headers["X-RateLimit-Usage"] == "1,1"


@pytest.mark.parametrize("body", [{"limits": "6,8"}, {"limits": "0,8;2,100"}, {"window": "1,2"}])
def test_an_unusable_quota_is_refused_and_the_old_one_stays(harness: Harness,
                                                            body: dict[str, str]) -> None:
    assert harness.client.post("/_sandbox/quota", json=body).status_code == 400
    response = harness.client.get("/api/v3/athlete")
    assert response.headers["X-RateLimit-Limit"] == "200,2000"
