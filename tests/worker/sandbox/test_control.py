"""The /_sandbox/ control API: uploads of synthetic workouts, history, stats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from stravalib import model

from tests.worker.sandbox.conftest import Harness, bearer, config, running
from worker.sandbox.seeding import physiology
from worker.sandbox.webhooks import WebhookSender


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int, dict[str, str]]]]:
    published: list[tuple[str, int, dict[str, str]]] = []

    def publish(self: WebhookSender, aspect: str, kind: str, object_id: int, owner: int,
                updates: dict[str, str], now: float) -> bool:
        published.append((aspect, object_id, updates))
        return True

    monkeypatch.setattr(WebhookSender, "publish", publish)
    yield published


def epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_uploaded_workout_ends_now_and_fires_a_create_event(
        harness: Harness, events: list[Any]) -> None:
    token = harness.connect(7)["access_token"]
    response = harness.client.post("/_sandbox/athletes/7/activities", json={
        "workout": "intervals", "seed": 7, "description": "athlete text"})
    assert response.status_code == 201
    activity_id = response.json()["id"]
    detail = harness.client.get(f"/api/v3/activities/{activity_id}", headers=bearer(token)).json()
    parsed = model.DetailedActivity.model_validate(detail)
    assert parsed.description == "athlete text"
    assert epoch(detail["start_date"]) + detail["elapsed_time"] == pytest.approx(
        harness.clock.now, abs=1)
    assert events == [("create", activity_id, {})]


def test_upload_at_a_given_start_without_notification(
        harness: Harness, events: list[Any]) -> None:
    response = harness.client.post("/_sandbox/athletes/7/activities", json={
        "workout": "long", "seed": 3, "start": "2024-05-01T07:15:00", "notify": False})
    detail = harness.client.get(f"/_sandbox/activities/{response.json()['id']}").json()
    assert detail["start_date"] == "2024-05-01T07:15:00Z"
    assert events == []


def test_same_seed_gives_the_same_workout(harness: Harness) -> None:
    def upload() -> dict[str, Any]:
        response = harness.client.post("/_sandbox/athletes/7/activities", json={
            "workout": "tempo", "seed": 11, "notify": False})
        detail: dict[str, Any] = harness.client.get(
            f"/_sandbox/activities/{response.json()['id']}").json()
        return detail

    first, second = upload(), upload()
    assert first["id"] != second["id"]
    assert (first["distance"], first["laps"][0]["distance"]) == (
        second["distance"], second["laps"][0]["distance"])


def test_unknown_workout_is_refused(harness: Harness) -> None:
    response = harness.client.post("/_sandbox/athletes/7/activities", json={"workout": "nap"})
    assert response.status_code == 400 and "nap" in response.json()["error"]


def test_history_fills_the_past_days_with_a_mix_and_no_events(
        harness: Harness, events: list[Any]) -> None:
    days = 28
    response = harness.client.post("/_sandbox/athletes/9/history", json={"days": days, "seed": 2})
    ids = response.json()["ids"]
    listed = harness.client.get("/_sandbox/athletes/9/activities").json()
    assert sorted(a["id"] for a in listed) == sorted(ids)
    starts = [epoch(a["start_date"]) for a in listed]
    assert all(harness.clock.now - days * 86400 - 86400 <= s < harness.clock.now for s in starts)
    assert len({a["sport_type"] for a in listed}) >= 3
    assert len(ids) >= days // 2
    assert events == []


def test_demo_athlete_starts_with_history_when_configured() -> None:
    from dataclasses import replace

    with running(replace(config(), history_days=14)) as harness:
        demo = harness.sandbox.config.demo_athlete_id
        listed = harness.client.get(f"/_sandbox/athletes/{demo}/activities").json()
        assert listed and all(a["athlete"]["id"] == demo for a in listed)


def test_stats_name_endpoints_by_template_and_count_by_activity(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    activity_id = harness.add_run(7)
    for _ in range(2):
        harness.client.get(f"/api/v3/activities/{activity_id}", headers=bearer(token))
    harness.client.get(f"/api/v3/activities/{activity_id}/streams",
                       params={"keys": "time"}, headers=bearer(token))
    stats = harness.client.get("/_sandbox/stats").json()
    assert stats["by_endpoint"]["GET /activities/{id}"] == 2
    assert stats["by_endpoint"]["GET /activities/{id}/streams"] == 1
    assert stats["by_endpoint"]["POST /oauth/token"] == 1
    assert stats["by_activity"] == {str(activity_id): 3}
    assert stats["usage"]["read"] == [3, 3]
    harness.client.post("/_sandbox/stats/reset")
    assert harness.client.get("/_sandbox/stats").json()["requests"] == 0


def test_strength_on_a_watch_has_only_time_and_heart_rate(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    for seed in range(40):
        response = harness.client.post("/_sandbox/athletes/7/activities", json={
            "workout": "strength", "seed": seed, "notify": False})
        activity_id = response.json()["id"]
        streams = harness.client.get(
            f"/api/v3/activities/{activity_id}/streams",
            params={"keys": "time,distance,latlng,heartrate", "key_by_type": "true"},
            headers=bearer(token))
        if streams.status_code == 200:
            assert set(streams.json()) <= {"time", "heartrate"}
            return
    pytest.fail("no strength session with samples in 40 seeds")


def test_manual_upload_is_a_hand_entry_without_streams(harness: Harness) -> None:
    token = harness.connect(7)["access_token"]
    response = harness.client.post("/_sandbox/athletes/7/activities", json={
        "workout": "easy", "seed": 3, "manual": True, "notify": False})
    activity_id = response.json()["id"]
    detail = harness.client.get(f"/api/v3/activities/{activity_id}", headers=bearer(token))
    assert detail.json()["manual"] is True
    assert detail.json()["distance"] > 0
    streams = harness.client.get(f"/api/v3/activities/{activity_id}/streams",
                                 params={"keys": "time,distance"}, headers=bearer(token))
    assert streams.status_code == 404


def test_an_athlete_keeps_one_physiology_across_uploads(harness: Harness) -> None:
    def peak_heart_rates(athlete: int) -> list[float]:
        token = harness.connect(athlete)["access_token"]
        peaks = []
        for seed in range(12):
            response = harness.client.post(f"/_sandbox/athletes/{athlete}/activities", json={
                "workout": "race", "seed": seed, "notify": False})
            detail = harness.client.get(f"/api/v3/activities/{response.json()['id']}",
                                        headers=bearer(token)).json()
            if detail.get("max_heartrate"):
                peaks.append(float(detail["max_heartrate"]))
        return peaks

    for athlete in (7, 8):
        peaks, body = peak_heart_rates(athlete), physiology(athlete)
        assert len(peaks) >= 3
        # A race takes the heart close to the athlete's own maximum, never past it.
        assert max(peaks) <= round(body.max_hr) + 1
        assert np.median(peaks) >= body.max_hr - 12
    assert physiology(7) == physiology(7) != physiology(8)
