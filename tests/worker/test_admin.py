"""Operator commands: subscription, status, key rotation."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from cryptography.fernet import Fernet
from sqlalchemy import select

from tests.support import http
from tests.support.commands import output
from tests.worker.conftest import make_settings
from worker import admin
from worker.budget import across_resets
from worker.devstack import free_port
from worker.models import Athlete, InboxEvent, PushSubscription
from worker.runtime import Runtime
from worker.web import create_app


@pytest.fixture
def web_runtime(tmp_path: Path, migrated_database_url: str, redis_url: str,
                sandbox_url: str) -> Iterator[Runtime]:
    """A runtime whose web process really listens at PUBLIC_URL (for Strava's handshake)."""
    port = free_port()
    rt = Runtime(make_settings(tmp_path, migrated_database_url, redis_url,
                               STRAVA_BASE_URL=sandbox_url,
                               PUBLIC_URL=f"http://127.0.0.1:{port}"))
    server = uvicorn.Server(uvicorn.Config(create_app(rt), host="127.0.0.1", port=port,
                                          log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield rt
    server.should_exit = True
    thread.join(timeout=10)
    rt.db.dispose()


def test_subscribe_records_the_subscription_and_unsubscribe_removes_it(
    web_runtime: Runtime,
) -> None:
    secret = web_runtime.settings.webhook_secret
    code, text = output(admin.subscribe, web_runtime)
    assert code == 0 and "subscribed" in text and secret not in text
    with web_runtime.db.session() as session:
        recorded = session.scalars(select(PushSubscription)).all()
    assert len(recorded) == 1
    assert recorded[0].callback_url == f"{web_runtime.settings.public_url}/webhook/{secret[:4]}…"
    code, text = output(admin.subscription, web_runtime)
    assert code == 0 and str(recorded[0].id) in text
    assert text.strip().endswith(f"/webhook/{secret[:4]}…") and secret not in text
    code, text = output(admin.subscribe, web_runtime)
    assert code == 0 and "already subscribed" in text

    assert output(admin.unsubscribe, web_runtime)[0] == 0
    with web_runtime.db.session() as session:
        assert session.scalars(select(PushSubscription)).first() is None
    listed = http.get(f"{web_runtime.settings.strava_base_url}/api/v3/push_subscriptions",
                      params={"client_id": web_runtime.settings.client_id,
                               "client_secret": web_runtime.settings.client_secret})
    assert listed.json() == []


def test_strava_cannot_subscribe_a_callback_without_the_secret(web_runtime: Runtime) -> None:
    settings = web_runtime.settings
    answer = http.post(f"{settings.strava_base_url}/api/v3/push_subscriptions", data={
        "client_id": settings.client_id, "client_secret": settings.client_secret,
        "callback_url": f"{settings.public_url}/webhook",
        "verify_token": settings.verify_token})
    assert answer.status_code == 400
    assert "callback" in answer.text


def test_status_shows_queues_budget_athletes_and_dead_letters(runtime: Runtime) -> None:
    runtime.redis.flushdb()
    with runtime.db.session() as session:
        session.add(Athlete(id=1, access_token="a", refresh_token="r", expires_at=0, scope="s"))
        session.add(Athlete(id=2, access_token="a", refresh_token="r", expires_at=0, scope="s",
                            status="needs_reauth"))
        session.add(InboxEvent(dedup_key="d", object_type="activity", aspect_type="create",
                               object_id=5, owner_id=1, event_time=1, status="dead",
                               last_error="StravaUnavailable: Strava 503"))
    across_resets(lambda: runtime.budget.acquire("live"))
    runtime.budget.pause(30, "Strava says the application is inactive")
    code, text = output(admin.status, runtime)
    assert code == 0
    assert "live" in text and "backfill" in text
    assert "read 1/" in text
    assert "PAUSED" in text and "inactive" in text
    assert "live uploads               deferred to the next window" in text
    assert "connected       1" in text and "must reconnect  1" in text
    assert "Dead letters: 1" in text and "Strava 503" in text
    assert "Strava cache (kept 7 days): oldest row fetched 0 d 00:00:" in text


def test_status_says_when_nothing_from_strava_is_held(runtime: Runtime) -> None:
    code, text = output(admin.status, runtime)
    assert "Strava cache (kept 7 days): nothing held" in text


def test_rotate_keys_re_encrypts_every_token_under_the_newest_key(
    tmp_path: Path, migrated_database_url: str, redis_url: str
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = Runtime(make_settings(tmp_path, migrated_database_url, redis_url, TOKEN_KEYS=old))
    database_url = before.settings.database_url
    with before.db.session() as session:
        session.add(Athlete(id=9, access_token=before.cipher.encrypt("access-9"),
                            refresh_token=before.cipher.encrypt("refresh-9"), expires_at=0,
                            scope="s"))
    both = Runtime(make_settings(tmp_path, database_url, redis_url, TOKEN_KEYS=f"{new},{old}"))
    assert output(admin.rotate_keys, both)[0] == 0
    after = Runtime(make_settings(tmp_path, database_url, redis_url, TOKEN_KEYS=new))
    with after.db.session() as session:
        athlete = session.get(Athlete, 9)
        assert athlete is not None
        assert after.cipher.decrypt(athlete.access_token) == "access-9"
        assert after.cipher.decrypt(athlete.refresh_token) == "refresh-9"
    for rt in (before, both, after):
        rt.db.dispose()
