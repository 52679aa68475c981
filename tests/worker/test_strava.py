"""The Strava gateway behind a transport that answers as Strava would: no live server.

Every failure maps to one exception of worker.strava; transient ones are retried briefly; the
budget hears about usage headers and 429s; logs name the host a request really went to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.gateway import BASE_URL, Answer, FakeStrava, RecordingBudget, gateway
from worker.strava import (
    CONNECT_TIMEOUT_S,
    READ_TIMEOUT_S,
    STRAVA_ORIGIN,
    TRANSIENT_ATTEMPTS,
    TRANSIENT_FIRST_WAIT_S,
    TRANSIENT_MAX_WAIT_S,
    StravaApplicationInactive,
    StravaError,
    StravaNotFound,
    StravaRateLimited,
    StravaRejected,
    StravaTransport,
    StravaUnauthorized,
    StravaUnavailable,
)

INACTIVE = {"message": "Forbidden", "errors": [
    {"resource": "Application", "field": "Status", "code": "Inactive"}]}


def read(strava: FakeStrava, budget: RecordingBudget | None = None) -> Callable[[], Any]:
    return lambda: gateway(strava, budget).get_activity("token", 42)


def test_reads_made_for_an_athlete_count_against_their_shares_of_the_quota() -> None:
    budget = RecordingBudget()
    strava = FakeStrava((200, {"id": 7}), (200, {}), (200, []))
    gate = gateway(strava, budget)
    gate.get_athlete("token", athlete_id=7)
    gate.get_streams("token", 42, priority="streams", athlete_id=7)
    gate.list_activities("token", after=0, page=1, athlete_id=7)
    assert budget.athletes == [7, 7, 7]
    assert budget.acquired == ["live", "streams", "backfill"]


@pytest.mark.parametrize(("answer", "error"), [
    ((401, {"message": "Authorization Error"}), StravaUnauthorized),
    ((404, {"message": "Record Not Found"}), StravaNotFound),
    ((429, {"message": "Rate Limit Exceeded"}), StravaRateLimited),
    ((403, INACTIVE), StravaApplicationInactive),
    ((403, {"message": "Forbidden"}), StravaRejected),
    ((400, {"message": "Bad Request"}), StravaRejected),
    ((500, {"message": "Server Error"}), StravaUnavailable),
])
def test_each_failure_maps_to_one_error_with_its_status(
    answer: Answer, error: type[StravaError]
) -> None:
    strava = FakeStrava(answer)
    with pytest.raises(error) as raised:
        read(strava)()
    assert raised.value.status == answer[0]  # type: ignore[index]
    assert len(strava.sent) == 1  # nothing a retry could fix is retried


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_transient_status_is_retried_and_a_later_answer_wins(status: int) -> None:
    strava = FakeStrava((status, {"message": "unwell"}), (200, {"id": 42}))
    assert read(strava)() == {"id": 42}
    assert len(strava.sent) == 2


def test_a_transient_status_that_persists_fails_after_the_attempts(
    transient_pauses: list[float],
) -> None:
    strava = FakeStrava((503, {"message": "unwell"}))
    with pytest.raises(StravaUnavailable):
        read(strava)()
    assert len(strava.sent) == TRANSIENT_ATTEMPTS
    # a pause before each attempt but the first, twice as long each time, all of them brief
    first = TRANSIENT_FIRST_WAIT_S
    assert transient_pauses == [first * 2**n for n in range(TRANSIENT_ATTEMPTS - 1)]
    assert sum(transient_pauses) <= TRANSIENT_ATTEMPTS * TRANSIENT_MAX_WAIT_S


@pytest.mark.parametrize("failure", [requests.ConnectionError, requests.Timeout])
def test_network_failures_are_retried_then_unavailable(failure: type[Exception]) -> None:
    strava = FakeStrava(failure)
    with pytest.raises(StravaUnavailable, match="did not answer"):
        read(strava)()
    assert len(strava.sent) == TRANSIENT_ATTEMPTS


def test_every_attempt_is_reserved_in_the_budget_and_its_headers_observed() -> None:
    budget = RecordingBudget()
    usage = {"X-RateLimit-Usage": "5,50", "X-ReadRateLimit-Usage": "3,30"}
    strava = FakeStrava((503, {"message": "unwell"}), (200, {"id": 42}), headers=usage)
    read(strava, budget)()
    assert budget.acquired == ["live", "live"]
    assert len(budget.observed) == 2
    assert budget.observed[-1]["X-RateLimit-Usage"] == "5,50"


def test_a_429_closes_the_budget() -> None:
    budget = RecordingBudget()
    with pytest.raises(StravaRateLimited):
        read(FakeStrava((429, {"message": "Rate Limit Exceeded"})), budget)()
    assert budget.rate_limits == 1


def test_an_activity_without_streams_reads_as_none() -> None:
    strava = FakeStrava((404, {"message": "Record Not Found"}))
    assert gateway(strava).get_streams("token", 42) == {}


def test_a_token_answer_without_tokens_is_rejected() -> None:
    with pytest.raises(StravaRejected, match="access_token"):
        gateway(FakeStrava((200, {"token_type": "Bearer"}))).refresh("refresh")


def test_requests_and_their_logs_go_to_the_configured_host_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    strava = FakeStrava((200, {"id": 42}))
    with caplog.at_level(logging.INFO):
        read(strava)()
    assert strava.sent[0].url is not None
    assert strava.sent[0].url.startswith(f"{BASE_URL}/api/v3/activities/42")
    # Ours are the lines the JSON logs show; stravalib's own stay at WARNING (worker.logs).
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("worker")]
    assert f"GET '{BASE_URL}/api/v3/activities/42'" in lines
    assert not any("www.strava.com" in line for line in lines)


def test_secrets_in_a_query_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    strava = FakeStrava((200, []))
    with caplog.at_level(logging.DEBUG):
        gateway(strava).list_subscriptions()
    assert "client_secret=secret" in (strava.sent[0].url or "")
    assert not any("=secret" in r.getMessage() or "'secret'" in r.getMessage()
                   for r in caplog.records)



@pytest.mark.parametrize(("env", "read_s"), [({}, READ_TIMEOUT_S),
                                             ({"STRAVA_READ_TIMEOUT": "2.5"}, 2.5)])
def test_the_runtimes_gateway_waits_for_an_answer_as_long_as_strava_read_timeout_says(
    tmp_path: Path, env: dict[str, str], read_s: float
) -> None:
    from tests.worker.conftest import make_settings
    from worker.runtime import Runtime

    # Nothing here connects: the Redis address is never dialled.
    rt = Runtime(make_settings(tmp_path, f"sqlite:///{tmp_path / 'db'}", "redis://127.0.0.1:1/0",
                               **env))
    transport = rt.gateway.session.get_adapter(STRAVA_ORIGIN)
    assert isinstance(transport, StravaTransport)
    assert transport.timeout == (CONNECT_TIMEOUT_S, read_s)
