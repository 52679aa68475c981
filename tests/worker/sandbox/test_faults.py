"""Injected faults: inactive application, server errors, late activities; only on /api/v3."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.worker.sandbox.conftest import Harness, bearer
from worker.sandbox import guard


def test_inactive_application_gets_403_naming_the_application(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    harness.client.post("/_sandbox/faults", json={"inactive": True})
    response = harness.client.get("/api/v3/athlete", headers=bearer(token))
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden", "errors": [
        {"resource": "Application", "field": "Status", "code": "Inactive"}]}
    assert response.headers["X-RateLimit-Usage"] == "1,1"
    harness.client.post("/_sandbox/faults", json={})
    assert harness.client.get("/api/v3/athlete", headers=bearer(token)).status_code == 200


def test_error_rate_one_answers_only_server_errors_on_the_api(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    harness.client.post("/_sandbox/faults", json={"error_rate": 1, "seed": 3})
    statuses = {harness.client.get("/api/v3/athlete", headers=bearer(token)).status_code
                for _ in range(30)}
    assert statuses <= {500, 502, 503} and len(statuses) > 1
    assert harness.client.get("/_sandbox/stats").status_code == 200
    assert harness.connect(8)["access_token"]


def test_new_activity_reads_as_missing_for_the_configured_time(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    harness.client.post("/_sandbox/faults", json={"not_found_after_create_s": 3})
    activity_id = harness.add_run(7)
    url = f"/api/v3/activities/{activity_id}"
    assert harness.client.get(url, headers=bearer(token)).status_code == 404
    harness.clock.advance(2.9)
    assert harness.client.get(url, headers=bearer(token)).status_code == 404
    harness.clock.advance(0.1)
    assert harness.client.get(url, headers=bearer(token)).status_code == 200


def test_bad_fault_settings_are_refused(harness: Harness) -> None:
    for body in ({"error_rate": 2}, {"slowness": 1}, {"inactive": "yes"}):
        assert harness.client.post("/_sandbox/faults", json=body).status_code == 400


def test_slow_rate_one_delays_every_api_answer_and_nothing_else(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # counted, not waited: no timing in unit tests
        waits.append(seconds)

    # The guard's own asyncio only: another event loop of this test process (the session's
    # sandbox server, say) sleeps too, and is not the guard.
    monkeypatch.setattr(guard, "asyncio", SimpleNamespace(sleep=sleep))
    harness.client.post("/_sandbox/faults", json={"slow_rate": 1, "slow_seconds": 0.3})
    assert harness.client.get("/api/v3/athlete").status_code == 401
    assert waits == [0.3]
    harness.client.get("/_sandbox/stats")
    assert waits == [0.3]
