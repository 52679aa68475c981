"""A wrong TOKEN_KEYS fails loudly: work waits for the right key, and says why."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import dramatiq
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from tests.polling import wait_until
from tests.support.athlete import ATHLETE, connect, description, upload
from tests.support.commands import output
from tests.support.doubles import Records
from tests.support.tasks import WAIT_S, delayed, inbox_event, lease, load_tasks
from tests.worker.conftest import make_settings
from worker import admin, sync
from worker.inbox import EventStatus
from worker.models import Athlete, InboxEvent
from worker.runtime import Runtime
from worker.tasks import KEYS_WAIT_S
from worker.tokens import TokensUnreadable


@pytest.fixture
def wrong_key(tmp_path: Path, redis_url: str, strava_runtime: Runtime) -> Iterator[Runtime]:
    """The same deployment, but with a TOKEN_KEYS that did not encrypt its tokens."""
    rt = Runtime(make_settings(tmp_path, strava_runtime.settings.database_url, redis_url,
                               STRAVA_BASE_URL=strava_runtime.settings.strava_base_url,
                               TOKEN_KEYS=Fernet.generate_key().decode()))
    yield rt
    rt.db.dispose()


def status_of(rt: Runtime, event_id: int) -> str:
    with rt.db.session() as session:
        return str(session.scalar(select(InboxEvent.status).where(InboxEvent.id == event_id)))


def test_with_a_wrong_key_an_event_waits_says_why_and_is_served_once_the_key_is_right(
    strava_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(strava_runtime)
    activity_id = upload(strava_runtime, "intervals")
    event_id = inbox_event(strava_runtime, activity_id)
    tasks = load_tasks(strava_runtime, monkeypatch, TOKEN_KEYS=Fernet.generate_key().decode())
    errors = Records()
    logging.getLogger("worker.tasks").addHandler(errors)
    worker = dramatiq.Worker(tasks.runtime.broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        tasks.handle_event.send(event_id)
        assert wait_until(lambda: len(delayed(strava_runtime)) == 1, timeout=WAIT_S)
        assert wait_until(lambda: lease(strava_runtime, event_id)
                          > time.time() + KEYS_WAIT_S - 60, timeout=10)
    finally:
        worker.stop()
        logging.getLogger("worker.tasks").removeHandler(errors)

    assert status_of(strava_runtime, event_id) == EventStatus.PENDING
    assert b'"retries"' not in delayed(strava_runtime)[0]  # waiting spends no retry
    strava_runtime.inbox.prune(keep_days=0)
    assert status_of(strava_runtime, event_id) == EventStatus.PENDING
    loud = [r.getMessage() for r in errors.records if r.levelno == logging.ERROR
            and r.getMessage().startswith(f"handle_event({event_id})")]
    assert len(loud) == 1  # the connect's backfill job says so too, once
    assert f"athlete {ATHLETE}'s tokens cannot be decrypted" in loud[0]
    code, text = output(admin.status, tasks.runtime)
    assert "TOKENS CANNOT BE DECRYPTED for 1 athletes" in text
    tasks.runtime.db.dispose()

    assert "CANNOT BE DECRYPTED" not in output(admin.status, strava_runtime)[1]
    assert sync.handle_event(strava_runtime, event_id).status == EventStatus.DONE
    assert description(strava_runtime, activity_id).count("-- Stridewise --") == 1


def test_a_deauthorization_with_a_wrong_key_deletes_nobody(
    strava_runtime: Runtime, wrong_key: Runtime
) -> None:
    connect(strava_runtime)
    with strava_runtime.db.session() as session:
        event = InboxEvent(dedup_key="deauth", object_type="athlete", aspect_type="update",
                           object_id=ATHLETE, owner_id=ATHLETE, event_time=int(time.time()),
                           updates='{"authorized": "false"}')
        session.add(event)
        session.flush()
        event_id = event.id
    with pytest.raises(TokensUnreadable):
        sync.handle_event(wrong_key, event_id)
    assert status_of(strava_runtime, event_id) == EventStatus.PENDING
    with strava_runtime.db.session() as session:
        athlete = session.get(Athlete, ATHLETE)
        assert athlete is not None and athlete.status == "active"


def test_rotate_keys_without_the_old_key_changes_nothing_and_says_so(
    strava_runtime: Runtime, wrong_key: Runtime
) -> None:
    connect(strava_runtime)
    with strava_runtime.db.session() as session:
        before = session.get(Athlete, ATHLETE)
        assert before is not None
        tokens = (before.access_token, before.refresh_token)
    code, text = output(admin.rotate_keys, wrong_key)
    assert code == 1
    assert "1 athletes' tokens cannot be decrypted" in text
    with strava_runtime.db.session() as session:
        after = session.get(Athlete, ATHLETE)
        assert after is not None and (after.access_token, after.refresh_token) == tokens
